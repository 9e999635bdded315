"""Writes quote_plus.json: tricky strings and what Python's
urllib.parse.quote_plus (what botocore's form bodies use) makes of them.
Run with any Python 3: python3 gen_quote_plus.py > quote_plus.json"""
import json
from urllib.parse import quote_plus

CASES = [
    "", "a", "abcXYZ019", "_.-~", "a b", "  ", "a+b", "+", "%", "%20", "%%41",
    "a/b", "arn:aws:iam::123456789012:role/my-role", "key=value&other=1",
    "?#[]@", "!$&'()*+,;=", "\"<>\\^`{|}", "*", "\t\n\r\x0b\x0c", "\x00\x01\x1f\x7f",
    "é", "ü", "日本語", "😀", "\u2028\u2029", "\ufeff", "\U0010ffff", "\u00a0",
    "Policy {\"Version\": \"2012-10-17\", \"Statement\": []}",
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl_-",
    "base64+/=", "user@example.com", "ümlaut test/ß", "~tilde~", "-._~-._~",
    "mixed: ascii, ünïcödé & symbols!",
]
print("[\n" + ",\n".join(json.dumps([case, quote_plus(case)]) for case in CASES) + "\n]")
