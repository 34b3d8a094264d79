"""Jira's REST API, the routes `insight notify` uses for a jira route (B.7 of
shared/reference/integrations.md): the JQL search for an open issue of a
label, issue creation and comments, in API version 2 (descriptions and
comments in wiki markup, plain strings) and 3 (Atlassian Document Format).

Routes (VERSION is 2 or 3):
  GET  /rest/api/VERSION/search?jql=...&fields=key&maxResults=N
       understands the JQL insight sends: project = "P" AND labels = "L"
       AND statusCategory != Done [ORDER BY created DESC]; answers
       {"startAt", "maxResults", "total", "issues": [{"id", "key", "self"}]},
       newest first. A JQL it cannot read is 400.
  POST /rest/api/VERSION/issue    {"fields": {"project": {"key"}, "summary",
       "issuetype": {"name"}, "labels": [...], "description"}}: 201
       {"id", "key", "self"}; a missing field, an unknown project or issue
       type, a summary over 255 characters, a label with a space, or a
       description of the wrong kind for VERSION is 400 {"errorMessages",
       "errors"}.
  POST /rest/api/VERSION/issue/KEY/comment  {"body"}: 201 {"id", "body"}.
  GET  /rest/api/VERSION/issue/KEY/transitions: 200 {"expand", "transitions":
       [{"id", "name", "hasScreen", "isAvailable", "to": {"self", "id", "name",
       "statusCategory": {"key", "name"}}}]}, the transitions out of the
       issue's status in a small workflow: To Do and In Progress go to In
       Progress ("Start Progress", 11), Done ("Resolve", 21) or Closed
       ("Close", 31); Done and Closed go back to To Do ("Reopen", 41).
  POST /rest/api/VERSION/issue/KEY/transitions  {"transition": {"id"},
       "update": {"comment": [{"add": {"body"}}]}} (update optional): 204, no
       body; the issue takes the transition's status, and a comment in the
       update is added (a string for 2, ADF for 3). An id the issue's status
       does not offer is 400 ("Transition id 'N' is not valid for this
       issue.").
  GET  /__issues   every issue with its comments, status and transitions
       taken (for tests).

Options (contract.py --option):
  token=T        Bearer T, or Basic of user:T when user is given
  user=U         the Cloud account (Basic auth)
  project=P      the one project (default SHOP); issue types Bug and Task
  issue=L:KEY    an open issue carrying label L exists already (repeatable
                 through commas: L1:K1,L2:K2)
"""

import base64
import re

ERRORS = {
    400: {"errorMessages": ["Bad request"], "errors": {}},
    401: {"errorMessages": ["You are not authenticated. Authentication required to perform this operation."], "errors": {}},
    403: {"errorMessages": ["You do not have permission to do this."], "errors": {}},
    404: {"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}},
    429: {"errorMessages": ["Rate limit exceeded."], "errors": {}},
    500: {"errorMessages": ["Internal server error"], "errors": {}},
    503: {"errorMessages": ["Service unavailable"], "errors": {}},
}

# id, name, target status, its category; the statuses each leaves from
WORKFLOW = [
    ("11", "Start Progress", "In Progress", "indeterminate", ("To Do",)),
    ("21", "Resolve", "Done", "done", ("To Do", "In Progress")),
    ("31", "Close", "Closed", "done", ("To Do", "In Progress")),
    ("41", "Reopen", "To Do", "new", ("Done", "Closed")),
]
CATEGORY_NAMES = {"new": "To Do", "indeterminate": "In Progress", "done": "Done"}

JQL = re.compile(r'^project = "([^"]+)" AND labels = "([^"]+)" AND statusCategory != Done'
                 r'( ORDER BY created DESC)?$')


def error_body(status, kind=None):
    return ERRORS.get(status, {"errorMessages": ["Error %d" % status], "errors": {}})


def setup(state):
    d = state.data
    d["issues"] = []
    d["project"] = state.options.get("project", "SHOP")
    for pair in filter(None, state.options.get("issue", "").split(",")):
        label, key = pair.split(":")
        d["issues"].append({"id": str(10000 + len(d["issues"])), "key": key, "labels": [label],
                            "fields": {}, "comments": [], "done": False, "status": "To Do",
                            "transitions": []})


def authorized(state, headers):
    o = state.options
    if "token" not in o:
        return True
    got = headers.get("Authorization") or ""
    if "user" in o:
        want = "Basic " + base64.b64encode(("%s:%s" % (o["user"], o["token"])).encode()).decode()
    else:
        want = "Bearer " + o["token"]
    return got == want


def is_adf(doc):
    return (isinstance(doc, dict) and doc.get("type") == "doc" and doc.get("version") == 1 and
            isinstance(doc.get("content"), list) and
            all(isinstance(p, dict) and p.get("type") == "paragraph" for p in doc["content"]))


def dispatch(state, req):
    m = re.match(r"^/rest/api/(2|3)/(.*)$", req["path"])
    d = state.data
    if req["path"] == "/__issues":
        with state.lock:
            return 200, {}, d["issues"]
    if not m:
        return 404, {}, error_body(404)
    version, rest = int(m.group(1)), m.group(2)
    if not authorized(state, req["headers"]):
        return 401, {}, error_body(401)
    body = req["json"]
    with state.lock:
        if req["method"] == "GET" and rest == "search":
            jql = (req["query"].get("jql") or [""])[0]
            jm = JQL.match(jql)
            if not jm:
                return 400, {}, {"errorMessages": ["Error in the JQL Query: %r" % jql], "errors": {}}
            found = [i for i in reversed(d["issues"]) if not i["done"] and jm.group(2) in i["labels"]
                     and i["key"].startswith(jm.group(1) + "-")]
            n = int((req["query"].get("maxResults") or ["50"])[0])
            return 200, {}, {"startAt": 0, "maxResults": n, "total": len(found),
                             "issues": [{"id": i["id"], "key": i["key"],
                                         "self": "%s/rest/api/%d/issue/%s" % (state.base_url, version, i["id"])}
                                        for i in found[:n]]}
        if req["method"] == "POST" and rest == "issue":
            f = (body or {}).get("fields") or {}
            errors = {}
            if (f.get("project") or {}).get("key") != d["project"]:
                errors["project"] = "valid project is required"
            if not f.get("summary") or len(f["summary"]) > 255:
                errors["summary"] = "Summary must be less than 255 characters."
            if (f.get("issuetype") or {}).get("name") not in ("Bug", "Task"):
                errors["issuetype"] = "valid issue type is required"
            if any(" " in l for l in f.get("labels", [])):
                errors["labels"] = "Labels cannot contain spaces."
            desc = f.get("description")
            if version == 2 and not isinstance(desc, str):
                errors["description"] = "Operation value must be a string"
            if version == 3 and not is_adf(desc):
                errors["description"] = "Operation value must be an Atlassian Document"
            if errors:
                return 400, {}, {"errorMessages": [], "errors": errors}
            n = len(d["issues"])
            issue = {"id": str(10000 + n), "key": "%s-%d" % (d["project"], n + 1),
                     "labels": f.get("labels", []), "fields": f, "comments": [], "done": False,
                     "status": "To Do", "transitions": []}
            d["issues"].append(issue)
            return 201, {}, {"id": issue["id"], "key": issue["key"],
                             "self": "%s/rest/api/%d/issue/%s" % (state.base_url, version, issue["id"])}
        cm = re.match(r"^issue/([A-Z]+-\d+)/comment$", rest)
        if req["method"] == "POST" and cm:
            issue = next((i for i in d["issues"] if i["key"] == cm.group(1)), None)
            if not issue:
                return 404, {}, error_body(404)
            b = (body or {}).get("body")
            if (version == 2 and not isinstance(b, str)) or (version == 3 and not is_adf(b)):
                return 400, {}, {"errorMessages": [], "errors": {"comment": "Comment body is not valid"}}
            issue["comments"].append(b)
            return 201, {}, {"id": str(len(issue["comments"])), "body": b}
        tm = re.match(r"^issue/([A-Z]+-\d+)/transitions$", rest)
        if tm and req["method"] in ("GET", "POST"):
            issue = next((i for i in d["issues"] if i["key"] == tm.group(1)), None)
            if not issue:
                return 404, {}, error_body(404)
            offered = [w for w in WORKFLOW if issue["status"] in w[4]]
            if req["method"] == "GET":
                return 200, {}, {"expand": "transitions", "transitions": [
                    {"id": w[0], "name": w[1], "hasScreen": False, "isGlobal": False,
                     "isInitial": False, "isAvailable": True, "isConditional": False,
                     "to": {"self": "%s/rest/api/%d/status/%s" % (state.base_url, version, w[0]),
                            "id": str(10000 + int(w[0])), "name": w[2],
                            "statusCategory": {"key": w[3], "name": CATEGORY_NAMES[w[3]]}}}
                    for w in offered]}
            tid = ((body or {}).get("transition") or {}).get("id")
            w = next((w for w in offered if w[0] == tid), None)
            if not w:
                return 400, {}, {"errorMessages": ["Transition id '%s' is not valid for this issue." % tid],
                                 "errors": {}}
            adds = [c.get("add") for c in ((body or {}).get("update") or {}).get("comment", [])]
            for a in adds:
                b = (a or {}).get("body")
                if (version == 2 and not isinstance(b, str)) or (version == 3 and not is_adf(b)):
                    return 400, {}, {"errorMessages": [], "errors": {"comment": "Comment body is not valid"}}
            issue["status"] = w[2]
            issue["done"] = w[3] == "done"
            issue["transitions"].append(w[1])
            issue["comments"].extend(a["body"] for a in adds)
            return 204, {}, None
    return 404, {}, error_body(404)
