"""GitLab REST v4: the routes insight uses (merge request notes, commit
statuses), with GitLab's answers and error bodies (B.5 of
shared/reference/integrations.md): notes of at most 1,000,000 characters,
pagination by x-next-page / x-total-pages and Link, statuses whose state is
one of pending, running, success, failed, canceled (skipped too).

The project is addressed by its numeric id or its URL-encoded path.

Options (contract.py --option):
  token=T           requests must carry "PRIVATE-TOKEN: T" or "Authorization: Bearer T";
                    "JOB-TOKEN" is refused with 403 on these routes, as GitLab does
  notes=N           merge request 1 starts with N notes by other users
  project=P         the project path (default acme/shop), id=I its id (default 42)
"""

import re
import time
import urllib.parse

ERRORS = {
    400: {"message": "400 Bad request"},
    401: {"message": "401 Unauthorized"},
    403: {"message": "403 Forbidden"},
    404: {"message": "404 Not found"},
    422: {"message": "422 Unprocessable Entity"},
    429: {"message": "429 Too Many Requests"},
    500: {"message": "500 Internal Server Error"},
    502: {"message": "502 Bad Gateway"},
    503: {"message": "503 Service Unavailable"},
}


def error_body(status, kind=None):
    return ERRORS.get(status, {"message": "%d Error" % status})


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def author(uid, name):
    return {"id": uid, "username": name, "name": name.title(), "state": "active"}


BOT = author(900, "project_42_bot")


def setup(state):
    o = state.options
    d = state.data
    d["project"] = o.get("project", "acme/shop")
    d["id"] = o.get("id", "42")
    d["next_id"] = 5000
    d["notes"] = {}
    d["order"] = []
    d["statuses"] = []
    for i in range(1, int(o.get("notes", "0")) + 1):
        new_note(state, 1, "note %d from a reviewer" % i, author(100 + i % 3, "reviewer%d" % (i % 3)))


def new_note(state, iid, body, who):
    d = state.data
    d["next_id"] += 1
    nid = d["next_id"]
    n = {"id": nid, "type": None, "body": body, "attachment": None, "author": who,
         "created_at": now_iso(), "updated_at": now_iso(), "system": False,
         "noteable_id": 7000 + iid, "noteable_type": "MergeRequest", "noteable_iid": iid,
         "resolvable": False, "confidential": False, "internal": False}
    d["notes"][nid] = n
    d["order"].append((iid, nid))
    return n


def project_matches(state, pid):
    d = state.data
    return urllib.parse.unquote(pid) in (d["project"], d["id"])


def list_notes(state, req, m):
    iid = int(m.group("iid"))
    q = req["query"]
    per_page = min(int(q.get("per_page", ["20"])[0]), 100)
    page = int(q.get("page", ["1"])[0])
    d = state.data
    ids = [nid for (i, nid) in d["order"] if i == iid and nid in d["notes"]]
    if q.get("sort", ["desc"])[0] == "desc":
        ids.reverse()
    total_pages = max(1, (len(ids) + per_page - 1) // per_page)
    items = [d["notes"][nid] for nid in ids[(page - 1) * per_page:page * per_page]]
    headers = {"x-page": str(page), "x-per-page": str(per_page), "x-total": str(len(ids)),
               "x-total-pages": str(total_pages),
               "x-next-page": str(page + 1) if page < total_pages else "",
               "x-prev-page": str(page - 1) if page > 1 else ""}
    base = "%s%s" % (state.base_url, req["path"])
    keep = {k: v[0] for k, v in q.items() if k != "page"}
    links = []
    if page < total_pages:
        links.append('<%s?%s>; rel="next"' % (base, urllib.parse.urlencode(dict(keep, page=page + 1))))
    links.append('<%s?%s>; rel="first"' % (base, urllib.parse.urlencode(dict(keep, page=1))))
    links.append('<%s?%s>; rel="last"' % (base, urllib.parse.urlencode(dict(keep, page=total_pages))))
    headers["Link"] = ", ".join(links)
    return 200, headers, items


def note_body(req):
    body = (req["json"] or {}).get("body")
    if not isinstance(body, str) or not body:
        return None, (400, {}, {"message": {"body": ["can't be blank"]}})
    if len(body) > 1000000:
        return None, (400, {}, {"message": {"body": ["is too long (maximum is 1000000 characters)"]}})
    return body, None


def create_note(state, req, m):
    body, err = note_body(req)
    if err:
        return err
    return 201, {}, new_note(state, int(m.group("iid")), body, BOT)


def update_note(state, req, m):
    n = state.data["notes"].get(int(m.group("nid")))
    if not n or n["noteable_iid"] != int(m.group("iid")):
        return 404, {}, {"message": "404 Not found"}
    body, err = note_body(req)
    if err:
        return err
    n["body"] = body
    n["updated_at"] = now_iso()
    return 200, {}, n


def create_status(state, req, m):
    j = req["json"] or {}
    if j.get("state") not in ("pending", "running", "success", "failed", "canceled", "skipped"):
        return 400, {}, {"message": "state does not have a valid value"}
    d = state.data
    d["next_id"] += 1
    s = {"id": d["next_id"], "sha": m.group("sha"), "ref": j.get("ref"), "status": j["state"],
         "name": j.get("name") or j.get("context") or "default",
         "target_url": j.get("target_url"), "description": j.get("description"),
         "created_at": now_iso(), "started_at": None, "finished_at": now_iso(),
         "allow_failure": False, "coverage": j.get("coverage"), "author": BOT}
    d["statuses"].append(s)
    return 201, {}, s


P = r"/projects/(?P<pid>[^/]+)"
ROUTES = [
    ("GET", P + r"/merge_requests/(?P<iid>\d+)/notes", list_notes),
    ("POST", P + r"/merge_requests/(?P<iid>\d+)/notes", create_note),
    ("PUT", P + r"/merge_requests/(?P<iid>\d+)/notes/(?P<nid>\d+)", update_note),
    ("POST", P + r"/statuses/(?P<sha>[0-9a-f]{40})", create_status),
]


def authorised(state, req):
    token = state.options.get("token")
    h = req["headers"]
    if h.get("JOB-TOKEN"):
        return 403
    if not token:
        return 0
    if h.get("PRIVATE-TOKEN") == token or h.get("Authorization") == "Bearer " + token:
        return 0
    return 401


def dispatch(state, req):
    path = req["path"]
    if path.startswith("/api/v4"):
        path = path[len("/api/v4"):]
    refused = authorised(state, req)
    if refused:
        return refused, {}, ERRORS[refused]
    with state.lock:
        for method, pattern, fn in ROUTES:
            m = re.fullmatch(pattern, path)
            if m and method == req["method"]:
                if not project_matches(state, m.group("pid")):
                    return 404, {}, {"message": "404 Project Not Found"}
                status, headers, body = fn(state, req, m)
                headers = dict(headers)
                headers.setdefault("RateLimit-Limit", "2000")
                headers.setdefault("RateLimit-Remaining", "1999")
                return status, headers, body
    return 404, {}, {"error": "404 Not Found"}
