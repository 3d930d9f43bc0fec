"""TEST SHIM, NOT THE REAL `requests` AND NOT PART OF THE SDK.

Debian's python3 has no `requests`. The Memory Layer reference's example imports it, so the test that runs that example
unchanged puts this directory on PYTHONPATH only when `import requests` fails: the few calls the example makes
(post/get/delete with headers, json, params; Response.json(), .status_code, .ok, .text, .raise_for_status()), on
urllib, with requests' semantics (an error status is a Response, not an exception, until raise_for_status()).
"""

import json as jsonlib
import urllib.error
import urllib.parse
import urllib.request

__memory_layer_test_shim__ = True


class HTTPError(Exception):
    def __init__(self, message, response=None):
        super().__init__(message)
        self.response = response


class Response:
    def __init__(self, url, status_code, headers, content):
        self.url = url
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def ok(self):
        return self.status_code < 400

    @property
    def text(self):
        return self.content.decode("utf-8", errors="replace")

    def json(self):
        return jsonlib.loads(self.text)

    def raise_for_status(self):
        if not self.ok:
            raise HTTPError("{} Error for url: {}".format(self.status_code, self.url), response=self)


def request(method, url, params=None, headers=None, json=None, data=None, timeout=None):
    if params:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
    headers = dict(headers or {})
    if json is not None:
        data = jsonlib.dumps(json).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    elif isinstance(data, str):
        data = data.encode("utf-8")
    req = urllib.request.Request(url, data=data, headers=headers, method=method.upper())
    try:
        with urllib.request.urlopen(req, timeout=timeout or 60) as res:
            return Response(url, res.status, dict(res.headers), res.read())
    except urllib.error.HTTPError as res:
        return Response(url, res.code, dict(res.headers), res.read())


def get(url, params=None, **kwargs):
    return request("GET", url, params=params, **kwargs)


def post(url, data=None, json=None, **kwargs):
    return request("POST", url, data=data, json=json, **kwargs)


def delete(url, **kwargs):
    return request("DELETE", url, **kwargs)
