"""Takes a token from a B Series appliance's /oauth2/token the way a Python
user would: urllib.request and http.client with HTTP Basic credentials
(base64 of the raw "client_id:client_secret"), then asks the command API for
get_api_info with it. Prints one line per client: "<client> <status> <what>".

Usage: basic_auth_client.py HOST PORT CAFILE CLIENT_ID CLIENT_SECRET
"""

import base64
import http.client
import json
import ssl
import sys
import urllib.error
import urllib.request


def basic(client_id, secret):
    raw = f"{client_id}:{secret}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def with_urllib(base, context, client_id, secret):
    req = urllib.request.Request(
        base + "/oauth2/token",
        data=b"grant_type=client_credentials",
        headers={"Authorization": basic(client_id, secret)},
    )
    try:
        with urllib.request.urlopen(req, context=context, timeout=10) as r:
            token = json.load(r)["access_token"]
    except urllib.error.HTTPError as e:
        return e.code, "no token"
    req = urllib.request.Request(
        base + "/api/command?action=get_api_info",
        headers={"Authorization": "Bearer " + token},
    )
    with urllib.request.urlopen(req, context=context, timeout=10) as r:
        body = r.read().decode()
    return 200, "api_information" if "<api_information" in body else body


def with_http_client(host, port, context, client_id, secret):
    conn = http.client.HTTPSConnection(host, port, context=context, timeout=10)
    conn.request(
        "POST",
        "/oauth2/token",
        body="grant_type=client_credentials",
        headers={
            "Authorization": basic(client_id, secret),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    r = conn.getresponse()
    body = r.read()
    conn.close()
    if r.status != 200:
        return r.status, "no token"
    token = json.loads(body)["access_token"]
    conn = http.client.HTTPSConnection(host, port, context=context, timeout=10)
    conn.request(
        "GET",
        "/api/command?action=get_api_info",
        headers={"Authorization": "Bearer " + token},
    )
    r = conn.getresponse()
    text = r.read().decode()
    conn.close()
    return r.status, "api_information" if "<api_information" in text else text


def main():
    host, port, cafile, client_id, secret = sys.argv[1:6]
    context = ssl.create_default_context(cafile=cafile)
    base = f"https://{host}:{port}"
    print("urllib", *with_urllib(base, context, client_id, secret))
    print("http.client", *with_http_client(host, int(port), context, client_id, secret))


if __name__ == "__main__":
    main()
