"""Bitbucket Cloud REST 2.0: the routes insight uses (pull request comments,
commit build statuses, Code Insights reports and annotations), with
Bitbucket's answers and error bodies (B.6 of shared/reference/integrations.md):
pages of {pagelen, page, size, next, values} with pagelen at most 100, a
build status keyed per commit (the same key overwrites it), reports of a
commit by id (PUT creates or replaces), annotations posted in bulk, at most
100 a request and 1000 a report, updated by their external_id.

Errors are {"type": "error", "error": {"message": ...}}; a token without a
scope the route needs gets 403 with the scopes granted and required.

Options (contract.py --option):
  token=T           requests must carry "Authorization: Bearer T"
  scopes=LIST       the token's scopes (comma-separated; default all of
                    pullrequest,pullrequest:write,repository,repository:write)
  comments=N        pull request PR starts with N comments by other users
  pr=PR             that pull request (default 1)
  repo=W/S          the repository (default acme/shop)
"""

import re
import time

ERRORS = {
    400: {"type": "error", "error": {"message": "Bad request"}},
    401: {"type": "error", "error": {"message": "Token is invalid or not supported for this endpoint."}},
    403: {"type": "error", "error": {"message": "Your credentials lack one or more required privilege scopes.",
                                     "detail": {"granted": ["repository"],
                                                "required": ["pullrequest:write"]}}},
    404: {"type": "error", "error": {"message": "Resource not found"}},
    409: {"type": "error", "error": {"message": "Conflict"}},
    429: {"type": "error", "error": {"message": "Rate limit for this resource has been exceeded"}},
    500: {"type": "error", "error": {"message": "Something went wrong"}},
    502: "<html><body><h1>502 Bad Gateway</h1></body></html>",
    503: {"type": "error", "error": {"message": "Service unavailable"}},
}

ALL_SCOPES = "pullrequest,pullrequest:write,repository,repository:write"


def error_body(status, kind=None):
    return ERRORS.get(status, {"type": "error", "error": {"message": "Error %d" % status}})


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime())


def account(name, uuid):
    return {"type": "user", "display_name": name, "uuid": "{%s}" % uuid,
            "account_id": "5b%s" % uuid[:8], "nickname": name.lower()}


BOT = {"type": "app_user", "display_name": "shop access token", "uuid": "{b07-0000}",
       "account_id": "557058:bot"}


def setup(state):
    o = state.options
    d = state.data
    d["repo"] = o.get("repo", "acme/shop")
    d["scopes"] = set(o.get("scopes", ALL_SCOPES).split(","))
    d["next_id"] = 700000
    d["comments"] = {}
    d["order"] = []
    d["statuses"] = {}     # (sha, key) -> status
    d["reports"] = {}      # (sha, id) -> report
    d["annotations"] = {}  # (sha, id) -> {external_id: annotation}
    for i in range(1, int(o.get("comments", "0")) + 1):
        new_comment(state, int(o.get("pr", "1")), "comment %d from a reviewer" % i,
                    account("Reviewer %d" % (i % 3), "r%07d-0000" % (i % 3)))


def new_comment(state, pr, raw, who):
    d = state.data
    d["next_id"] += 1
    cid = d["next_id"]
    c = {"type": "pullrequest_comment", "id": cid,
         "content": {"type": "rendered", "raw": raw, "markup": "markdown",
                     "html": "<p>%s</p>" % raw},
         "user": who, "created_on": now_iso(), "updated_on": now_iso(), "deleted": False,
         "pending": False,
         "links": {"self": {"href": "%s/2.0/repositories/%s/pullrequests/%d/comments/%d"
                            % (state.base_url, d["repo"], pr, cid)}},
         "pullrequest": {"type": "pullrequest", "id": pr}}
    d["comments"][cid] = c
    d["order"].append((pr, cid))
    return c


def need(state, scope):
    """403 with Bitbucket's body when the token lacks `scope`, else None."""
    if scope in state.data["scopes"]:
        return None
    return 403, {}, {"type": "error", "error": {
        "message": "Your credentials lack one or more required privilege scopes.",
        "detail": {"granted": sorted(state.data["scopes"]), "required": [scope]}}}


def list_comments(state, req, m):
    refused = need(state, "pullrequest")
    if refused:
        return refused
    pr = int(m.group("pr"))
    q = req["query"]
    pagelen = int(q.get("pagelen", ["10"])[0])
    if pagelen < 1 or pagelen > 100:
        return 400, {}, {"type": "error", "error": {"message": "Invalid pagelen"}}
    page = int(q.get("page", ["1"])[0])
    d = state.data
    ids = [cid for (p, cid) in d["order"] if p == pr]
    items = [d["comments"][cid] for cid in ids[(page - 1) * pagelen:page * pagelen]]
    out = {"pagelen": pagelen, "size": len(ids), "page": page, "values": items}
    if page * pagelen < len(ids):
        out["next"] = "%s%s?pagelen=%d&page=%d" % (state.base_url, req["path"], pagelen, page + 1)
    if page > 1:
        out["previous"] = "%s%s?pagelen=%d&page=%d" % (state.base_url, req["path"], pagelen,
                                                       page - 1)
    return 200, {}, out


def comment_raw(req):
    j = req["json"]
    raw = (j or {}).get("content", {}).get("raw") if isinstance(j, dict) else None
    if not isinstance(raw, str) or not raw:
        return None, (400, {}, {"type": "error", "error": {
            "message": "Bad request", "fields": {"content": ["This field is required."]}}})
    if len(raw) > 32768:
        return None, (400, {}, {"type": "error", "error": {
            "message": "Bad request",
            "fields": {"content.raw": ["Ensure this value has at most 32768 characters."]}}})
    return raw, None


def create_comment(state, req, m):
    refused = need(state, "pullrequest:write")
    if refused:
        return refused
    raw, err = comment_raw(req)
    if err:
        return err
    return 201, {}, new_comment(state, int(m.group("pr")), raw, BOT)


def update_comment(state, req, m):
    refused = need(state, "pullrequest:write")
    if refused:
        return refused
    c = state.data["comments"].get(int(m.group("cid")))
    if not c or c["pullrequest"]["id"] != int(m.group("pr")):
        return 404, {}, {"type": "error", "error": {"message": "No such comment"}}
    raw, err = comment_raw(req)
    if err:
        return err
    c["content"]["raw"] = raw
    c["updated_on"] = now_iso()
    return 200, {}, c


STATES = ("SUCCESSFUL", "FAILED", "INPROGRESS", "STOPPED")


def create_status(state, req, m):
    refused = need(state, "repository:write")
    if refused:
        return refused
    j = req["json"] or {}
    if j.get("state") not in STATES or not j.get("key") or not j.get("url"):
        return 400, {}, {"type": "error", "error": {
            "message": "Bad request",
            "fields": {k: ["This field is required."] for k in ("key", "state", "url")
                       if not j.get(k)}}}
    if len(j["key"]) > 255:
        return 400, {}, {"type": "error", "error": {"message": "Bad request",
                                                     "fields": {"key": ["Too long."]}}}
    key = (m.group("sha"), j["key"])
    d = state.data
    old = d["statuses"].get(key)
    s = {"type": "build", "key": j["key"], "state": j["state"], "name": j.get("name"),
         "url": j["url"], "description": j.get("description", ""),
         "refname": j.get("refname"), "created_on": old["created_on"] if old else now_iso(),
         "updated_on": now_iso(), "commit": {"type": "commit", "hash": m.group("sha")}}
    d["statuses"][key] = s
    return (200 if old else 201), {}, s


REPORT_TYPES = ("SECURITY", "COVERAGE", "TEST", "BUG")
DATA_TYPES = ("BOOLEAN", "DATE", "DURATION", "LINK", "NUMBER", "PERCENTAGE", "TEXT")


def bad(field, why):
    return 400, {}, {"type": "error", "error": {"message": "Bad request", "fields": {field: [why]}}}


def put_report(state, req, m):
    refused = need(state, "repository:write")
    if refused:
        return refused
    j = req["json"]
    if not isinstance(j, dict) or not j.get("title"):
        return bad("title", "This field is required.")
    if j.get("report_type") not in REPORT_TYPES:
        return bad("report_type", "Invalid value.")
    if j.get("result") not in (None, "PASSED", "FAILED", "PENDING"):
        return bad("result", "Invalid value.")
    if len(j.get("details", "")) > 2000:
        return bad("details", "Ensure this value has at most 2000 characters.")
    data = j.get("data", [])
    if len(data) > 10:
        return bad("data", "At most 10 elements.")
    for x in data:
        if x.get("type") not in DATA_TYPES or "title" not in x or "value" not in x:
            return bad("data", "Invalid element.")
    key = (m.group("sha"), m.group("rid"))
    d = state.data
    r = dict(j, uuid="{r-%s}" % m.group("rid"), external_id=m.group("rid"),
             created_on=now_iso(), updated_on=now_iso())
    d["reports"][key] = r
    return 200, {}, r


def post_annotations(state, req, m):
    refused = need(state, "repository:write")
    if refused:
        return refused
    key = (m.group("sha"), m.group("rid"))
    d = state.data
    if key not in d["reports"]:
        return 404, {}, {"type": "error", "error": {"message": "Report not found"}}
    j = req["json"]
    if not isinstance(j, list) or not j:
        return bad("annotations", "A non-empty list is required.")
    if len(j) > 100:
        return bad("annotations", "At most 100 annotations a request.")
    have = d["annotations"].setdefault(key, {})
    out = []
    for a in j:
        if not a.get("external_id") or a.get("annotation_type") not in (
                "VULNERABILITY", "CODE_SMELL", "BUG") or not a.get("summary"):
            return bad("annotation", "external_id, annotation_type and summary are required.")
        if len(a["summary"]) > 450 or len(a.get("details", "")) > 2000:
            return bad("summary", "Too long.")
        if "line" in a and (not isinstance(a["line"], int) or a["line"] < 1):
            return bad("line", "Must be at least 1.")
        if a["external_id"] not in have and len(have) >= 1000:
            return bad("annotations", "A report holds at most 1000 annotations.")
        have[a["external_id"]] = dict(a, uuid="{a-%s}" % a["external_id"])
        out.append(have[a["external_id"]])
    return 200, {}, out


R = r"/repositories/(?P<ws>[^/]+)/(?P<slug>[^/]+)"
ROUTES = [
    ("GET", R + r"/pullrequests/(?P<pr>\d+)/comments", list_comments),
    ("POST", R + r"/pullrequests/(?P<pr>\d+)/comments", create_comment),
    ("PUT", R + r"/pullrequests/(?P<pr>\d+)/comments/(?P<cid>\d+)", update_comment),
    ("POST", R + r"/commit/(?P<sha>[0-9a-f]{7,40})/statuses/build", create_status),
    ("PUT", R + r"/commit/(?P<sha>[0-9a-f]{7,40})/reports/(?P<rid>[^/]+)", put_report),
    ("POST", R + r"/commit/(?P<sha>[0-9a-f]{7,40})/reports/(?P<rid>[^/]+)/annotations",
     post_annotations),
]


def dispatch(state, req):
    path = req["path"]
    if path.startswith("/2.0"):
        path = path[len("/2.0"):]
    token = state.options.get("token")
    if token and req["headers"].get("Authorization") != "Bearer " + token:
        return 401, {}, ERRORS[401]
    with state.lock:
        for method, pattern, fn in ROUTES:
            m = re.fullmatch(pattern, path)
            if m and method == req["method"]:
                if "%s/%s" % (m.group("ws"), m.group("slug")) != state.data["repo"]:
                    return 404, {}, {"type": "error", "error": {
                        "message": "Repository %s/%s not found" % (m.group("ws"), m.group("slug"))}}
                return fn(state, req, m)
    return 404, {}, ERRORS[404]
