"""Zephyr Scale Cloud API v2: the routes insight uses, with Zephyr's answers
and error bodies (B.2 of shared/reference/integrations.md).

Requests carry "Authorization: Bearer <token>". Errors are JSON
{"errorCode": <status>, "message": "..."}. Lists are pages {"next",
"startAt", "maxResults", "total", "isLast", "values"}, maxResults at most
1000 (and at most the page option).

Routes (under /v2):
  GET  /statuses?projectKey=&statusType=TEST_EXECUTION   page of statuses
  GET  /testcycles?projectKey=                           page of cycles
  POST /testcycles      projectKey ([A-Z][A-Z_0-9]+), name (1-255) -> 201 {id, self, key}
  GET  /testexecutions?projectKey=&testCycle=&testCase=  page of executions
  POST /testexecutions  projectKey, testCaseKey, testCycleKey, statusName (all
       required; the case, the cycle and the status must exist), executionTime
       (whole ms), comment, environmentName (one of the project's) -> 201 {id, self}
  POST /automations/executions/junit?projectKey=&autoCreateTestCases=
       multipart/form-data: "file" a zip of JUnit XML files (unzipped with
       zipfile, CRCs checked, each file parsed; a DTD is refused), "testCycle"
       (optional) JSON {name, description}. A new cycle, and one execution per
       <testcase> whose name or classname holds a key of an existing case (or a
       new case each with autoCreateTestCases=true) -> 200 {"testCycle": {id,
       url, key}}. Not the generated schema (B.2 says to verify): the shape
       SmartBear documents for the automation endpoints.

Options (contract.py --option):
  token=T           the API token (default T)
  project=P         the project key (default SHOP)
  cases=N           its test cases are P-T1 to P-TN (default 300)
  statuses=A,B      the test execution statuses (default Not Executed, In
                    Progress, Pass, Fail, Blocked)
  environments=A,B  the environments (default CI, Staging)
  page=N            the largest page (default 1000)
"""

import email.parser
import email.policy
import io
import json
import re
import time
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile
import zlib

ERRORS = {
    400: {"errorCode": 400, "message": "Bad request."},
    401: {"errorCode": 401, "message": "Authentication failed: the bearer token is not valid."},
    403: {"errorCode": 403, "message": "The user does not have permission to do this."},
    404: {"errorCode": 404, "message": "Not found."},
    429: {"errorCode": 429, "message": "Too many requests."},
    500: {"errorCode": 500, "message": "Internal server error."},
    502: {"errorCode": 502, "message": "Bad gateway."},
    503: {"errorCode": 503, "message": "Service unavailable."},
}

KEY = re.compile(r"^[A-Z][A-Z_0-9]+$")


def error_body(status, kind=None):
    return ERRORS.get(status, {"errorCode": status, "message": "Error %d." % status})


def setup(state):
    o = state.options
    d = state.data
    d["token"] = o.get("token", "T")
    d["project"] = o.get("project", "SHOP")
    d["cases"] = int(o.get("cases", "300"))
    d["statuses"] = o.get("statuses", "Not Executed,In Progress,Pass,Fail,Blocked").split(",")
    d["environments"] = o.get("environments", "CI,Staging").split(",")
    d["page"] = int(o.get("page", "1000"))
    d["cycles"] = []
    d["executions"] = []
    d["uploads"] = []
    d["next_id"] = 1


def bad(msg, status=400):
    return status, {}, {"errorCode": status, "message": msg}


def page(state, req, items):
    d = state.data
    q = req["query"]
    try:
        start = int(q.get("startAt", ["0"])[0])
        size = int(q.get("maxResults", ["10"])[0])
    except ValueError:
        return bad("startAt and maxResults must be whole numbers.")
    size = max(1, min(size, 1000, d["page"]))
    chunk = items[start:start + size]
    last = start + size >= len(items)
    nxt = None
    if not last:
        params = {k: v[0] for k, v in q.items()}
        params.update(startAt=str(start + size), maxResults=str(size))
        nxt = "%s%s?%s" % (state.base_url, req["path"], urllib.parse.urlencode(params))
    return 200, {}, {"next": nxt, "startAt": start, "maxResults": size, "total": len(items),
                     "isLast": last, "values": chunk}


def multipart(req):
    """The parts of a multipart/form-data body: {name: (filename, type, bytes)}, or None."""
    ctype = req["headers"].get("Content-Type") or ""
    if not ctype.startswith("multipart/form-data"):
        return None
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + req["body"])
    if not msg.is_multipart():
        return None
    parts = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            parts[name] = (part.get_filename(), part.get_content_type(),
                           part.get_payload(decode=True) or b"")
    return parts


def junit_upload(state, req, q):
    """POST /automations/executions/junit: a zip of JUnit XML files. Each
    <testcase> whose name (or classname) holds a test case key of the project
    becomes an execution of that case in a new test cycle (named by the
    testCycle part, else "Automated Build"); with autoCreateTestCases=true a
    test case is created for the others. 200 {"testCycle": {id, url, key}}."""
    d = state.data
    pk = q.get("projectKey")
    if not pk or not KEY.match(pk):
        return bad("projectKey: must match [A-Z][A-Z_0-9]+.")
    if pk != d["project"]:
        return bad("Project '%s' was not found." % pk)
    parts = multipart(req)
    if parts is None:
        return bad("The request must be multipart/form-data.", 415)
    if "file" not in parts:
        return bad("file: must not be empty.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(parts["file"][2]))
        bad_member = zf.testzip()
        names = zf.namelist()
    except (zipfile.BadZipFile, zlib.error, EOFError):
        return bad("The file is not a valid zip file.")
    if bad_member is not None:
        return bad("The file is not a valid zip file.")
    if not names or not all(n.endswith(".xml") for n in names):
        return bad("The zip file must hold JUnit XML files only.")
    cycle = {"name": "Automated Build"}
    if "testCycle" in parts:
        try:
            cycle = json.loads(parts["testCycle"][2])
        except ValueError:
            return bad("testCycle: invalid JSON.")
        if not isinstance(cycle, dict) or not isinstance(cycle.get("name"), str) \
                or not 1 <= len(cycle["name"]) <= 255:
            return bad("testCycle.name: must be between 1 and 255 characters.")
    create = q.get("autoCreateTestCases") == "true"
    found = []
    for n in names:
        data = zf.read(n)
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            return bad("%s: DTDs are not allowed." % n)
        try:
            root = ET.fromstring(data)
        except ET.ParseError as e:
            return bad("%s: not JUnit XML (%s)." % (n, e))
        for tc in root.iter("testcase"):
            status = "Pass"
            if tc.find("failure") is not None or tc.find("error") is not None:
                status = "Fail"
            elif tc.find("skipped") is not None:
                status = "Not Executed"
            text = "%s %s" % (tc.get("classname", ""), tc.get("name", ""))
            m = re.search(r"(?<![A-Za-z0-9])%s-T(\d+)(?![A-Za-z0-9])" % re.escape(pk), text)
            if m and 1 <= int(m.group(1)) <= d["cases"]:
                key = "%s-T%s" % (pk, m.group(1))
            elif create:
                d["cases"] += 1
                key = "%s-T%d" % (pk, d["cases"])
            else:
                continue
            try:
                ms = int(round(float(tc.get("time", "0")) * 1000))
            except ValueError:
                return bad("%s: testcase time '%s' is not a number." % (n, tc.get("time")))
            found.append((key, status, ms))
    cid = d["next_id"]
    d["next_id"] += 1
    key = "%s-R%d" % (pk, len(d["cycles"]) + 1)
    d["cycles"].append({"id": cid, "key": key, "name": cycle["name"],
                        "description": cycle.get("description"), "project": {"id": 1}})
    for case, status, ms in found:
        eid = d["next_id"]
        d["next_id"] += 1
        d["executions"].append({
            "id": eid, "key": "%s-E%d" % (pk, eid), "testCase": {"key": case},
            "testCycle": {"key": key}, "statusName": status, "executionTime": ms,
            "comment": None, "environmentName": None,
            "createdOn": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    d["uploads"].append({"names": names, "cycle": key, "executions": len(found)})
    return 200, {}, {"testCycle": {"id": cid, "key": key,
                                   "url": "%s/testcycles/%s" % (state.base_url, key)}}


def dispatch(state, req):
    d = state.data
    if req["headers"].get("Authorization") != "Bearer " + d["token"]:
        return 401, {}, error_body(401)
    path = req["path"]
    if not path.startswith("/v2/"):
        return 404, {}, error_body(404)
    path = path[3:]
    q = {k: v[0] for k, v in req["query"].items()}
    with state.lock:
        if req["method"] == "GET":
            if q.get("projectKey") and q["projectKey"] != d["project"]:
                return bad("Project '%s' was not found." % q["projectKey"], 404)
            if path == "/statuses":
                if q.get("statusType") != "TEST_EXECUTION":
                    items = []
                else:
                    items = [{"id": i + 1, "project": {"id": 1}, "name": n, "index": i,
                              "default": i == 0, "archived": False, "color": "#888888"}
                             for i, n in enumerate(d["statuses"])]
                return page(state, req, items)
            if path == "/testcycles":
                return page(state, req, d["cycles"])
            if path == "/testexecutions":
                items = [e for e in d["executions"]
                         if ("testCycle" not in q or e["testCycle"]["key"] == q["testCycle"])
                         and ("testCase" not in q or e["testCase"]["key"] == q["testCase"])]
                return page(state, req, items)
            return 404, {}, error_body(404)
        if req["method"] != "POST":
            return 404, {}, error_body(404)
        if path == "/automations/executions/junit":
            return junit_upload(state, req, q)
        if not (req["headers"].get("Content-Type") or "").startswith("application/json"):
            return bad("Content-Type must be application/json.", 415)
        b = req["json"]
        if not isinstance(b, dict):
            return bad("Invalid JSON in the request body.")
        pk = b.get("projectKey")
        if not isinstance(pk, str) or not KEY.match(pk):
            return bad("projectKey: must match [A-Z][A-Z_0-9]+.")
        if pk != d["project"]:
            return bad("Project '%s' was not found." % pk)
        if path == "/testcycles":
            name = b.get("name")
            if not isinstance(name, str) or not 1 <= len(name) <= 255:
                return bad("name: must be between 1 and 255 characters.")
            cid = d["next_id"]
            d["next_id"] += 1
            key = "%s-R%d" % (pk, len(d["cycles"]) + 1)
            d["cycles"].append({"id": cid, "key": key, "name": name,
                                "description": b.get("description"),
                                "project": {"id": 1}})
            return 201, {}, {"id": cid, "key": key,
                             "self": "%s/v2/testcycles/%d" % (state.base_url, cid)}
        if path == "/testexecutions":
            for f in ("testCaseKey", "testCycleKey", "statusName"):
                if not isinstance(b.get(f), str) or not b[f]:
                    return bad("%s: must not be empty." % f)
            m = re.match(r"^%s-T(\d+)$" % re.escape(pk), b["testCaseKey"])
            if not m or not 1 <= int(m.group(1)) <= d["cases"]:
                return bad("Test case '%s' was not found." % b["testCaseKey"])
            cycle = [c for c in d["cycles"] if c["key"] == b["testCycleKey"]]
            if not cycle:
                return bad("Test cycle '%s' was not found." % b["testCycleKey"])
            if b["statusName"] not in d["statuses"]:
                return bad("Status '%s' was not found." % b["statusName"])
            if "executionTime" in b and (not isinstance(b["executionTime"], int)
                                         or b["executionTime"] < 0):
                return bad("executionTime: must be a whole number of milliseconds.")
            if "environmentName" in b and b["environmentName"] not in d["environments"]:
                return bad("Environment '%s' was not found." % b["environmentName"])
            if "comment" in b and not isinstance(b["comment"], str):
                return bad("comment: must be a string.")
            eid = d["next_id"]
            d["next_id"] += 1
            d["executions"].append({
                "id": eid, "key": "%s-E%d" % (pk, eid),
                "testCase": {"key": b["testCaseKey"]}, "testCycle": {"key": b["testCycleKey"]},
                "statusName": b["statusName"], "executionTime": b.get("executionTime"),
                "comment": b.get("comment"), "environmentName": b.get("environmentName"),
                "createdOn": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
            return 201, {}, {"id": eid, "self": "%s/v2/testexecutions/%d" % (state.base_url, eid)}
        return 404, {}, error_body(404)
