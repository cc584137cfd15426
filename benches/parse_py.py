#!/usr/bin/env python3
"""The Python 3 stdlib baseline for benches/parse.rs: the same extraction
(decode the mail with `email`, take the text or strip the HTML, read
`Label: value` lines, map name/phone/email labels, sniff phones and emails
with `re`) over every .eml in a folder. Prints `python_mails_per_s=N`."""
import email
import email.policy
import os
import re
import sys
import time

LABEL = re.compile(r"^\s*([^:\n]{1,80}?)\s*:\s+(.*\S)\s*$", re.M)
TAG = re.compile(r"<[^>]+>")
BR = re.compile(r"(?i)<br\s*/?>|</p>|</tr>|</div>")
PHONE = re.compile(r"(?:\+7|8)?[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
NAMES = {"name": "name", "имя": "name", "ваше имя": "name", "фио": "name",
         "phone": "phone", "телефон": "phone", "ваш телефон": "phone",
         "email": "email", "e-mail": "email", "почта": "email"}


def extract(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    text = None
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is not None:
        try:
            text = body.get_content()
        except Exception:
            text = ""
        if body.get_content_type() == "text/html":
            text = TAG.sub("", BR.sub("\n", text))
    text = text or ""
    out = {"subject": str(msg.get("subject", "")), "fields": []}
    for label, value in LABEL.findall(text):
        out["fields"].append((label, value))
        key = NAMES.get(label.strip().lower())
        if key and key not in out:
            out[key] = value
    digits = []
    for p in PHONE.findall(text):
        d = re.sub(r"\D", "", p)
        if len(d) == 10:
            d = "7" + d
        if len(d) == 11:
            digits.append("+7" + d[1:])
    out["phones"] = digits
    out["emails"] = EMAIL.findall(text)
    return out


def main():
    folder = sys.argv[1]
    min_secs = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    mails = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".eml"):
            with open(os.path.join(folder, name), "rb") as f:
                mails.append(f.read())
    done = 0
    start = time.perf_counter()
    while True:
        for raw in mails:
            extract(raw)
        done += len(mails)
        elapsed = time.perf_counter() - start
        if elapsed >= min_secs:
            break
    print(f"python_mails_per_s={done / elapsed:.0f} mails={len(mails)}")


if __name__ == "__main__":
    main()
