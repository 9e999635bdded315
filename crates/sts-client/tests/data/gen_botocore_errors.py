"""Writes botocore_errors.json: STS error documents and the message the AWS
CLI prints for each (botocore's query parser and ClientError).
Run with the project's venv: .venv/bin/python gen_botocore_errors.py > botocore_errors.json"""
import json

import botocore
import botocore.session
from botocore.exceptions import ClientError
from botocore.parsers import create_parser

E = "<ErrorResponse><Error>{}</Error><RequestId>r-1</RequestId></ErrorResponse>"
CASES = [
    ("AssumeRole", 403, E.format("<Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/a is not authorized</Message>")),
    ("AssumeRole", 403, E.format("<Type>Sender</Type><Code>AccessDenied</Code>")),
    ("AssumeRole", 400, E.format("<Message>no code</Message>")),
    ("GetCallerIdentity", 403, "<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></Errors><RequestId>r</RequestId></ErrorResponse>"),
    ("GetCallerIdentity", 400, "<Response><Errors><Error><Code>X</Code><Message>ec2 style</Message></Error></Errors><RequestID>q</RequestID></Response>"),
    ("AssumeRole", 400, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Code>ValidationError</Code><Message>default namespace</Message></Error></ErrorResponse>"),
    ("AssumeRole", 400, "<s:ErrorResponse xmlns:s=\"https://sts.amazonaws.com/doc/2011-06-15/\"><s:Error><s:Code>ValidationError</s:Code><s:Message>prefixed</s:Message></s:Error></s:ErrorResponse>"),
    ("AssumeRole", 400, E.format("<Code>X</Code><Message>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#233; &#x263A;</Message>")),
    ("AssumeRole", 400, E.format("<Code>X</Code><Message><![CDATA[raw <b>markup</b> & more]]></Message>")),
    ("AssumeRole", 400, E.format("<Code>X</Code><Message>before<!-- a comment -->after</Message>")),
    ("AssumeRole", 400, E.format("<Code>X</Code><Message>line one\nline two</Message>")),
    ("AssumeRole", 400, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + E.format("<Code>X</Code><Message>declared</Message>")),
    ("AssumeRole", 400, "\ufeff" + E.format("<Code>X</Code><Message>after a byte order mark</Message>")),
    ("AssumeRole", 400, "<ErrorResponse>\n  <Error>\n    <Type>Sender</Type>\n    <Code>MalformedPolicyDocument</Code>\n    <Message>indented</Message>\n  </Error>\n  <RequestId>r</RequestId>\n</ErrorResponse>\n"),
    ("AssumeRole", 400, E.format("<Code>X</Code><Message>ünïcödé 日本語 😀</Message>")),
    ("AssumeRoleWithWebIdentity", 400, E.format("<Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Couldn't retrieve verification key from your identity provider</Message>")),
    ("GetSessionToken", 400, E.format("<Code>X</Code><Message>attr</Message><Detail a=\"b\"/>")),
]

parser = create_parser("query")
model = botocore.session.get_session().get_service_model("sts")
out = []
for operation, status, body in CASES:
    response = {"status_code": status, "headers": {}, "body": body.encode()}
    parsed = parser.parse(response, model.operation_model(operation).output_shape)
    out.append({"operation": operation, "status": status, "body": body,
                "message": str(ClientError(parsed, operation))})
print(json.dumps({"botocore": botocore.__version__, "cases": out}, indent=1, ensure_ascii=False))
