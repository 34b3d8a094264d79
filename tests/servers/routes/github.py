"""GitHub REST (API version 2022-11-28): the routes insight uses (comments,
commit statuses, check runs, pull requests), with GitHub's answers and
error bodies, limits included (comment bodies of at most 65536 characters,
status descriptions of at most 140, at most 50 annotations a request).

Options (contract.py --option):
  token=T           requests must carry "Authorization: Bearer T" (or "token T")
  comments=N        pull request 1 starts with N comments by other users
  marker_at=K       ...the K-th of which (1-based) carries insight's marker
  marker=TEXT       the marker text put there (default <!-- insight:report sut=shop -->)
  owner=O repo=R    the repository (default octo/shop)
  head_sha=SHA      the head commit of pull request 1
"""

import json
import re
import time

DOCS = "https://docs.github.com/rest"

ERRORS = {
    400: {"message": "Problems parsing JSON", "documentation_url": DOCS, "status": "400"},
    401: {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"},
    403: {"message": "Resource not accessible by integration",
          "documentation_url": DOCS + "/issues/comments#create-an-issue-comment",
          "status": "403"},
    404: {"message": "Not Found", "documentation_url": DOCS, "status": "404"},
    422: {"message": "Validation Failed", "errors": [], "documentation_url": DOCS,
          "status": "422"},
    500: {"message": "Server Error"},
    502: {"message": "Server Error"},
    503: {"message": "Service Unavailable"},
}

RATELIMIT = {"message": "API rate limit exceeded for installation ID 1.",
             "documentation_url": DOCS + "/overview/rate-limits-for-the-rest-api",
             "status": "403"}


def error_body(status, kind=None):
    if kind == "ratelimit":
        return RATELIMIT
    return ERRORS.get(status, {"message": "Error %d" % status})


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def user(login, uid, kind="User"):
    return {"login": login, "id": uid, "node_id": "U_%d" % uid, "type": kind,
            "site_admin": False, "html_url": "https://github.com/" + login}


BOT = user("github-actions[bot]", 41898282, "Bot")


def setup(state):
    o = state.options
    d = state.data
    d["owner"] = o.get("owner", "octo")
    d["repo"] = o.get("repo", "shop")
    d["head_sha"] = o.get("head_sha", "a" * 40)
    d["next_id"] = 1000
    d["comments"] = {}   # id -> comment
    d["order"] = []      # ids in creation order, per issue: (issue, id)
    d["statuses"] = []
    d["check_runs"] = {}
    n = int(o.get("comments", "0"))
    marker_at = int(o.get("marker_at", "0"))
    marker = o.get("marker", "<!-- insight:report sut=shop -->")
    for i in range(1, n + 1):
        text = "comment %d from a reviewer" % i
        who = user("reviewer%d" % (i % 3), 100 + i % 3)
        if i == marker_at:
            text = marker + "\nan earlier insight report"
            who = BOT
        new_comment(state, 1, text, who)


def new_comment(state, issue, body, who):
    d = state.data
    d["next_id"] += 1
    cid = d["next_id"]
    base = "%s/repos/%s/%s" % (state.base_url, d["owner"], d["repo"])
    c = {"id": cid, "node_id": "IC_%d" % cid, "url": "%s/issues/comments/%d" % (base, cid),
         "html_url": "https://github.com/%s/%s/pull/%d#issuecomment-%d" % (
             d["owner"], d["repo"], issue, cid),
         "issue_url": "%s/issues/%d" % (base, issue), "body": body, "user": who,
         "created_at": now_iso(), "updated_at": now_iso(),
         "author_association": "NONE" if who is BOT else "MEMBER"}
    d["comments"][cid] = c
    d["order"].append((issue, cid))
    return c


def too_long(resource, field, limit):
    e = dict(ERRORS[422])
    e["errors"] = [{"resource": resource, "code": "custom", "field": field,
                    "message": "%s is too long (maximum is %d characters)" % (field, limit)}]
    return 422, {}, e


def invalid(resource, field, code="missing_field"):
    e = dict(ERRORS[422])
    e["errors"] = [{"resource": resource, "code": code, "field": field}]
    return 422, {}, e


def list_comments(state, req, m):
    issue = int(m.group("n"))
    q = req["query"]
    per_page = min(int(q.get("per_page", ["30"])[0]), 100)
    page = int(q.get("page", ["1"])[0])
    d = state.data
    ids = [cid for (i, cid) in d["order"] if i == issue and cid in d["comments"]]
    last = max(1, (len(ids) + per_page - 1) // per_page)
    items = [d["comments"][cid] for cid in ids[(page - 1) * per_page:page * per_page]]
    base = "%s%s" % (state.base_url, req["path"])
    links = []
    if page < last:
        links.append('<%s?per_page=%d&page=%d>; rel="next"' % (base, per_page, page + 1))
        links.append('<%s?per_page=%d&page=%d>; rel="last"' % (base, per_page, last))
    if page > 1:
        links.append('<%s?per_page=%d&page=%d>; rel="prev"' % (base, per_page, page - 1))
        links.append('<%s?per_page=%d&page=1>; rel="first"' % (base, per_page))
    headers = {"Link": ", ".join(links)} if links else {}
    return 200, headers, items


def create_comment(state, req, m):
    body = (req["json"] or {}).get("body")
    if not isinstance(body, str):
        return invalid("IssueComment", "body")
    if len(body) > 65536:
        return too_long("IssueComment", "body", 65536)
    c = new_comment(state, int(m.group("n")), body, BOT)
    return 201, {"Location": c["url"]}, c


def update_comment(state, req, m):
    c = state.data["comments"].get(int(m.group("id")))
    if not c:
        return 404, {}, ERRORS[404]
    body = (req["json"] or {}).get("body")
    if not isinstance(body, str):
        return invalid("IssueComment", "body")
    if len(body) > 65536:
        return too_long("IssueComment", "body", 65536)
    c["body"] = body
    c["updated_at"] = now_iso()
    return 200, {}, c


def delete_comment(state, req, m):
    if state.data["comments"].pop(int(m.group("id")), None) is None:
        return 404, {}, ERRORS[404]
    return 204, {}, b""


def create_status(state, req, m):
    j = req["json"] or {}
    if j.get("state") not in ("error", "failure", "pending", "success"):
        return invalid("Status", "state", "invalid")
    if len(j.get("description") or "") > 140:
        return too_long("Status", "description", 140)
    d = state.data
    d["next_id"] += 1
    s = {"id": d["next_id"], "node_id": "SC_%d" % d["next_id"], "state": j["state"],
         "description": j.get("description"), "target_url": j.get("target_url"),
         "context": j.get("context", "default"), "created_at": now_iso(),
         "updated_at": now_iso(), "creator": BOT,
         "url": "%s%s" % (state.base_url, req["path"])}
    d["statuses"].append((m.group("sha"), s))
    return 201, {}, s


def check_output_errors(j):
    out = j.get("output") or {}
    if len(out.get("annotations") or []) > 50:
        e = dict(ERRORS[422])
        e["message"] = "Invalid request.\n\nOnly 50 annotations are allowed per request."
        return 422, {}, e
    for f in ("summary", "text"):
        if len(out.get(f) or "") > 65535:
            return too_long("CheckRun", "output." + f, 65535)
    return None


def create_check_run(state, req, m):
    j = req["json"] or {}
    if not j.get("name") or not j.get("head_sha"):
        return invalid("CheckRun", "name" if not j.get("name") else "head_sha")
    err = check_output_errors(j)
    if err:
        return err
    d = state.data
    d["next_id"] += 1
    cid = d["next_id"]
    run = {"id": cid, "node_id": "CR_%d" % cid, "head_sha": j["head_sha"], "name": j["name"],
           "status": j.get("status", "queued"), "conclusion": j.get("conclusion"),
           "started_at": j.get("started_at", now_iso()), "completed_at": j.get("completed_at"),
           "details_url": j.get("details_url"), "external_id": j.get("external_id", ""),
           "url": "%s/repos/%s/%s/check-runs/%d" % (state.base_url, d["owner"], d["repo"], cid),
           "html_url": "https://github.com/%s/%s/runs/%d" % (d["owner"], d["repo"], cid),
           "output": {"title": (j.get("output") or {}).get("title"),
                      "summary": (j.get("output") or {}).get("summary"),
                      "annotations_count": len((j.get("output") or {}).get("annotations") or [])},
           "app": {"id": 15368, "slug": "github-actions", "name": "GitHub Actions"}}
    d["check_runs"][cid] = run
    return 201, {}, run


def update_check_run(state, req, m):
    run = state.data["check_runs"].get(int(m.group("id")))
    if not run:
        return 404, {}, ERRORS[404]
    j = req["json"] or {}
    err = check_output_errors(j)
    if err:
        return err
    for k in ("name", "status", "conclusion", "completed_at", "details_url", "external_id"):
        if k in j:
            run[k] = j[k]
    out = j.get("output") or {}
    run["output"]["annotations_count"] += len(out.get("annotations") or [])
    for k in ("title", "summary"):
        if k in out:
            run["output"][k] = out[k]
    return 200, {}, run


def get_pull(state, req, m):
    d = state.data
    n = int(m.group("n"))
    if n != 1:
        return 404, {}, ERRORS[404]
    repo = {"full_name": "%s/%s" % (d["owner"], d["repo"]), "fork": False}
    return 200, {}, {"number": 1, "state": "open", "title": "Make checkout faster",
                     "head": {"ref": "feature", "sha": d["head_sha"], "repo": repo},
                     "base": {"ref": "main", "sha": "b" * 40, "repo": repo}}


def echo(state, req, m):
    """GET /echo: the request as the server saw it (for the net layer's tests)."""
    return 200, {}, {"method": req["method"], "path": req["path"], "query": req["query"],
                     "user_agent": req["headers"].get("User-Agent")}


R = r"/repos/(?P<o>[^/]+)/(?P<r>[^/]+)"
ROUTES = [
    ("GET", R + r"/issues/(?P<n>\d+)/comments", list_comments),
    ("POST", R + r"/issues/(?P<n>\d+)/comments", create_comment),
    ("PATCH", R + r"/issues/comments/(?P<id>\d+)", update_comment),
    ("DELETE", R + r"/issues/comments/(?P<id>\d+)", delete_comment),
    ("POST", R + r"/statuses/(?P<sha>[0-9a-f]{40})", create_status),
    ("POST", R + r"/check-runs", create_check_run),
    ("PATCH", R + r"/check-runs/(?P<id>\d+)", update_check_run),
    ("GET", R + r"/pulls/(?P<n>\d+)", get_pull),
    ("GET", r"/echo", echo),
    ("POST", r"/echo", echo),
]


def authorised(state, req):
    token = state.options.get("token")
    if not token:
        return True
    auth = req["headers"].get("Authorization") or ""
    return auth in ("Bearer " + token, "token " + token)


def dispatch(state, req):
    if not authorised(state, req):
        return 401, {}, ERRORS[401]
    with state.lock:
        for method, pattern, fn in ROUTES:
            m = re.fullmatch(pattern, req["path"])
            if m and method == req["method"]:
                if "o" in m.groupdict() and (m.group("o"), m.group("r")) != (
                        state.data["owner"], state.data["repo"]):
                    return 404, {}, ERRORS[404]
                status, headers, body = fn(state, req, m)
                headers = dict(headers)
                headers.setdefault("X-GitHub-Api-Version-Selected", "2022-11-28")
                headers.setdefault("x-ratelimit-limit", "5000")
                headers.setdefault("x-ratelimit-remaining", "4999")
                return status, headers, body
    return 404, {}, ERRORS[404]


if __name__ == "__main__":
    print(json.dumps([(m, p) for m, p, _ in ROUTES], indent=1))
