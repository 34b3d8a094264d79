"""Xray Cloud API v2: authentication and the JUnit import, as Xray documents
them (docs.getxray.app, "Import Execution Results - REST v2").

Routes:
  POST /api/v2/authenticate   {"client_id", "client_secret"} -> 200 "<token>" (a JSON
                              string); 401 {"error": "Authentication failed. Invalid
                              client credentials!"}
  POST /api/v2/import/execution/junit?projectKey=&testExecKey=
                              the JUnit XML as the body; "Authorization: Bearer <token>"
                              -> 200 {"id", "key", "self"}: the Test Execution
  POST /api/v2/import/execution/junit/multipart
                              multipart/form-data: "results" (the XML) and "info" (the
                              Test Execution's fields: project.key, summary, issuetype)
Errors are {"error": "..."}: 400 for XML that does not parse or has no test
case, an unknown project or Test Execution; 401 without a valid token.
Each import is kept in state.data["imports"] (project, testExecKey,
summary, the test case names), readable through GET /__imports.

Options (contract.py --option):
  client_id=I client_secret=S   the API key (defaults: I, S)
  project=P                     the project (default SHOP)
"""

import email.parser
import email.policy
import json
import secrets
import xml.etree.ElementTree as ET

ERRORS = {
    400: {"error": "Bad request."},
    401: {"error": "Authentication failed. Invalid client credentials!"},
    429: {"error": "Too many requests."},
    500: {"error": "Internal server error."},
    502: {"error": "Bad gateway."},
    503: {"error": "Service unavailable."},
}


def error_body(status, kind=None):
    return ERRORS.get(status, {"error": "Error %d." % status})


def setup(state):
    o = state.options
    d = state.data
    d["client_id"] = o.get("client_id", "I")
    d["client_secret"] = o.get("client_secret", "S")
    d["project"] = o.get("project", "SHOP")
    d["tokens"] = set()
    d["execs"] = {"%s-100" % d["project"]: []}
    d["next"] = 101
    d["imports"] = []


def bad(msg, status=400):
    return status, {}, {"error": msg}


def testcases(data):
    """The <testcase> names of a JUnit document, or None when it does not parse.
    (ElementTree loads no DTD and no external entity.)"""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return None
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return None
    return ["%s::%s" % (c.get("classname"), c.get("name")) for c in root.iter("testcase")]


def dispatch(state, req):
    d = state.data
    path = req["path"]
    if req["method"] == "GET" and path == "/__imports":
        with state.lock:
            return 200, {}, d["imports"]
    if req["method"] != "POST":
        return 404, {}, {"error": "Not found."}
    if path == "/api/v2/authenticate":
        b = req["json"] or {}
        if b.get("client_id") != d["client_id"] or b.get("client_secret") != d["client_secret"]:
            return 401, {}, error_body(401)
        token = "xray." + secrets.token_hex(16) + ".jwt"
        with state.lock:
            d["tokens"].add(token)
        return 200, {"Content-Type": "application/json"}, json.dumps(token)
    auth = req["headers"].get("Authorization") or ""
    if not auth.startswith("Bearer ") or auth[7:] not in d["tokens"]:
        return 401, {}, {"error": "Unauthorized: the token is missing or not valid."}
    q = {k: v[0] for k, v in req["query"].items()}
    if path == "/api/v2/import/execution/junit":
        xml, project, exec_key, summary = req["body"], q.get("projectKey"), q.get("testExecKey"), None
    elif path == "/api/v2/import/execution/junit/multipart":
        ctype = req["headers"].get("Content-Type") or ""
        if not ctype.startswith("multipart/form-data"):
            return bad("The request must be multipart/form-data.")
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + req["body"])
        parts = {p.get_param("name", header="content-disposition"): p.get_payload(decode=True)
                 for p in msg.iter_parts()}
        if "results" not in parts or "info" not in parts:
            return bad("The parts 'results' and 'info' are required.")
        try:
            info = json.loads(parts["info"])
            project = info["fields"]["project"]["key"]
            summary = info["fields"]["summary"]
            assert info["fields"]["issuetype"]["name"] == "Test Execution"
        except (ValueError, KeyError, TypeError, AssertionError):
            return bad("The 'info' part is not valid Test Execution fields.")
        xml, exec_key = parts["results"], None
    else:
        return 404, {}, {"error": "Not found."}
    if not project and not exec_key:
        return bad("projectKey or testExecKey is required.")
    if project and project != d["project"]:
        return bad("Project '%s' does not exist or you do not have permission." % project)
    names = testcases(xml)
    if names is None:
        return bad("Error parsing the JUnit XML report.")
    if not names:
        return bad("No tests found in the JUnit XML report.")
    with state.lock:
        if exec_key:
            if exec_key not in d["execs"]:
                return bad("Test Execution with key %s not found." % exec_key)
            key = exec_key
        else:
            key = "%s-%d" % (d["project"], d["next"])
            d["next"] += 1
            d["execs"][key] = []
        d["execs"][key].extend(names)
        d["imports"].append({"key": key, "project": project, "testExecKey": exec_key,
                             "summary": summary, "tests": names})
    num = key.split("-")[1]
    return 200, {}, {"id": "10%s" % num, "key": key,
                     "self": "https://example.atlassian.net/rest/api/2/issue/10%s" % num}
