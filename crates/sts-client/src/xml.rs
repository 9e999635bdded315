//! A small, bounded view of an XML document: the root element's name and
//! the text of every element by its path of local names. STS responses are
//! shallow and tiny, so this is all the parsers need, and it turns every
//! malformed, truncated or hostile input into an error instead of a panic.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::Reader;

/// Deeper documents are not STS responses.
const MAX_DEPTH: usize = 16;
/// More elements than this are not STS responses either.
const MAX_ELEMENTS: usize = 4096;

/// Element texts of a document, keyed by `Root/Child/Leaf` paths of local
/// names (namespace prefixes dropped).
#[derive(Debug, Default)]
pub(crate) struct XmlDoc {
    pub root: String,
    entries: Vec<(String, String)>,
}

impl XmlDoc {
    /// The trimmed text of the first element at `path`, if there is one.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(key, _)| key == path)
            .map(|(_, value)| value.as_str())
    }

    /// Whether some element sits at `path`.
    pub fn has(&self, path: &str) -> bool {
        self.get(path).is_some()
    }
}

/// Why a body is not a usable XML document, in a few words.
pub(crate) type XmlProblem = String;

pub(crate) fn parse(body: &[u8]) -> Result<XmlDoc, XmlProblem> {
    let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8 text".to_owned())?;
    if text.trim().is_empty() {
        return Err("the body is empty".to_owned());
    }
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.expand_empty_elements = true;
    config.check_end_names = true;

    let mut doc = XmlDoc::default();
    // (path of the open element, text gathered so far)
    let mut stack: Vec<(String, String)> = Vec::new();
    let mut elements = 0usize;
    let mut root_closed = false;
    loop {
        let event = reader.read_event().map_err(|error| {
            format!(
                "the XML is malformed near byte {}: {error}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(start) => {
                if root_closed {
                    return Err("the XML has more than one root element".to_owned());
                }
                elements += 1;
                if stack.len() >= MAX_DEPTH || elements > MAX_ELEMENTS {
                    return Err("the XML is nested too deeply or too large".to_owned());
                }
                let local = start.local_name();
                let name = std::str::from_utf8(local.as_ref())
                    .map_err(|_| "an element name is not UTF-8".to_owned())?;
                let path = match stack.last() {
                    Some((parent, _)) => format!("{parent}/{name}"),
                    None => {
                        doc.root = name.to_owned();
                        name.to_owned()
                    }
                };
                stack.push((path, String::new()));
            }
            Event::End(_) => {
                let (path, text) = stack
                    .pop()
                    .ok_or_else(|| "the XML closes an element it never opened".to_owned())?;
                doc.entries.push((path, text.trim().to_owned()));
                if stack.is_empty() {
                    root_closed = true;
                }
            }
            Event::Text(text) => {
                let decoded = text
                    .decode()
                    .map_err(|_| "the XML text is not valid".to_owned())?;
                match stack.last_mut() {
                    Some((_, gathered)) => gathered.push_str(&decoded),
                    None if decoded.trim().is_empty() => {}
                    None => return Err("the body has text outside the root element".to_owned()),
                }
            }
            Event::CData(data) => {
                let decoded = data
                    .decode()
                    .map_err(|_| "the XML CDATA is not valid".to_owned())?;
                match stack.last_mut() {
                    Some((_, gathered)) => gathered.push_str(&decoded),
                    None => return Err("the body has CDATA outside the root element".to_owned()),
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    Ok(None) => {
                        let name = reference
                            .decode()
                            .map_err(|_| "an XML entity name is not valid".to_owned())?;
                        resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("the XML uses an unknown entity &{name};"))?
                            .to_owned()
                    }
                    Err(_) => return Err("the XML has an invalid character reference".to_owned()),
                };
                match stack.last_mut() {
                    Some((_, gathered)) => gathered.push_str(&resolved),
                    None => return Err("the body has text outside the root element".to_owned()),
                }
            }
            Event::Empty(_) => {
                // expand_empty_elements turns these into Start + End.
                return Err("the XML reader reported an unexpanded empty element".to_owned());
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err("the XML document is cut off before its end".to_owned());
    }
    if doc.root.is_empty() {
        return Err("the body has no XML element".to_owned());
    }
    Ok(doc)
}
