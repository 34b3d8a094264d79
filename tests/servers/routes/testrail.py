"""TestRail API v2: the methods insight uses, with TestRail's answers and
error bodies (B.1 of shared/reference/integrations.md).

Every method is addressed as /index.php?/api/v2/<method>/<id>, further
parameters joined with '&' (get_cases/1&suite_id=2&offset=250). Requests
carry HTTP Basic "user:API key" and, for POST, Content-Type:
application/json. Errors are JSON {"error": "..."}; 400 covers a bad request
and an unknown entity, 401 a failed authentication.

Methods:
  GET  get_cases/{project}&suite_id=&limit=&offset=   page of "cases"
  GET  get_runs/{project}&is_completed=0|1             page of "runs"
  GET  get_run/{run}                                   the run
  GET  get_tests/{run}                                 page of "tests"
  GET  get_results_for_run/{run}                       page of "results"
  POST add_run/{project}        suite_id, name, include_all, case_ids[]
  POST add_results_for_cases/{run}   {"results": [{case_id, status_id, ...}]}
       checked whole before any is kept, as TestRail does: a case that is not
       in the run, status 3 (Untested) or a status outside 1-12, an elapsed
       that is not a timespan ("1m 5s"; "0s" is refused) make it a 400
  POST close_run/{run}          the run is completed; results are refused after
Pages (TestRail 6.7 and later) are {"offset", "limit", "size", "_links":
{"next", "prev"}, <list>}, "next" a path such as
"/api/v2/get_cases/1&suite_id=2&limit=250&offset=250" or null.

Options (contract.py --option):
  user=U key=K      the credentials (default user@example.com / the key K)
  project=P         the project id (default 1); suite=S its suite (default 2)
  cases=N           the suite's cases are C1 to CN (default 300)
  page=N            the page size of every list (default 250)
  bare=1            lists as bare arrays (servers before 6.7), no pages
  runs=N            the project starts with N other runs (default 0)
"""

import base64
import re
import time

ERRORS = {
    400: {"error": "Field :project_id is not a valid or accessible project."},
    401: {"error": "Authentication failed: invalid or missing user/password or session cookie."},
    403: {"error": "The requested project does not exist or you do not have the permissions "
                   "to access it."},
    404: {"error": "Unknown method."},
    409: {"error": "TestRail is in maintenance mode."},
    429: {"error": "API Rate Limit Exceeded - 180 requests per 60 seconds allowed."},
    500: {"error": "Internal Server Error"},
    502: {"error": "Bad Gateway"},
    503: {"error": "Service Unavailable"},
}

TIMESPAN = re.compile(r"^(?:(\d+)w)?\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")


def error_body(status, kind=None):
    return ERRORS.get(status, {"error": "Error %d" % status})


def fault_path(path, query):
    """The rules see "/index.php?/api/v2/add_run/1" (the extra parameters left out)."""
    return path + "?" + query.split("&")[0]


def setup(state):
    o = state.options
    d = state.data
    d["user"] = o.get("user", "user@example.com")
    d["key"] = o.get("key", "K")
    d["project"] = int(o.get("project", "1"))
    d["suite"] = int(o.get("suite", "2"))
    d["cases"] = int(o.get("cases", "300"))
    d["page"] = int(o.get("page", "250"))
    d["bare"] = o.get("bare") == "1"
    d["runs"] = {}
    d["next_run"] = 1
    d["next_result"] = 1
    for i in range(int(o.get("runs", "0"))):
        new_run(d, "an earlier run %d" % (i + 1), [1])


def new_run(d, name, case_ids, suite=None, description=None):
    rid = d["next_run"]
    d["next_run"] += 1
    run = {"id": rid, "name": name, "suite_id": suite or d["suite"], "project_id": d["project"],
           "description": description, "include_all": False, "is_completed": False,
           "completed_on": None, "created_on": int(time.time()),
           "url": "https://example.testrail.io/index.php?/runs/view/%d" % rid,
           "case_ids": list(case_ids), "results": []}
    d["runs"][rid] = run
    return run


def public_run(run):
    out = {k: v for k, v in run.items() if k not in ("case_ids", "results")}
    counts = {1: "passed_count", 2: "blocked_count", 4: "retest_count", 5: "failed_count"}
    for name in counts.values():
        out[name] = 0
    latest = {}
    for r in run["results"]:
        latest[r["case_id"]] = r["status_id"]
    for s in latest.values():
        if s in counts:
            out[counts[s]] += 1
    out["untested_count"] = len(set(run["case_ids"])) - len(latest)
    return out


def bad(msg):
    return 400, {}, {"error": msg}


def authorized(d, req):
    h = req["headers"].get("Authorization") or ""
    if not h.startswith("Basic "):
        return False
    try:
        user, _, key = base64.b64decode(h[6:]).decode().partition(":")
    except ValueError:
        return False
    return user == d["user"] and key == d["key"]


def page(d, method, args, params, key, items):
    """A page of `items` from offset/limit, with _links, or the bare list."""
    if d["bare"]:
        return 200, {}, items
    try:
        offset = int(params.get("offset", "0"))
        limit = int(params.get("limit", str(d["page"])))
    except ValueError:
        return bad("Field :offset is not a valid integer.")
    limit = max(1, min(limit, d["page"]))
    chunk = items[offset:offset + limit]
    extra = "".join("&%s=%s" % (k, v) for k, v in sorted(params.items())
                    if k not in ("offset", "limit"))
    base = "/api/v2/%s/%s%s&limit=%d" % (method, args, extra, limit)
    nxt = base + "&offset=%d" % (offset + limit) if offset + limit < len(items) else None
    prev = base + "&offset=%d" % max(0, offset - limit) if offset > 0 else None
    return 200, {}, {"offset": offset, "limit": limit, "size": len(chunk),
                     "_links": {"next": nxt, "prev": prev}, key: chunk}


def dispatch(state, req):
    d = state.data
    if req["path"] != "/index.php":
        return 404, {}, "Not Found"
    call = None
    params = {}
    for k, v in req["query"].items():
        if k.startswith("/api/v2/"):
            call = k[len("/api/v2/"):]
        else:
            params[k] = v[0]
    if not call:
        return 404, {}, {"error": "Unknown method."}
    if not authorized(d, req):
        return 401, {}, error_body(401)
    method, _, args = call.partition("/")
    if req["method"] == "POST":
        ctype = req["headers"].get("Content-Type") or ""
        if not ctype.startswith("application/json"):
            return bad("Content-Type header missing (use Content-Type: application/json).")
        if req["body"] and req["json"] is None:
            return bad("Invalid JSON in the request body.")
    try:
        oid = int(args)
    except ValueError:
        return bad("Field :%s is not a valid ID." % ("run_id" if "run" in method or "results"
                                                      in method else "project_id"))
    body = req["json"] if isinstance(req["json"], dict) else {}
    with state.lock:
        return route(d, req["method"], method, oid, params, body)


def route(d, verb, method, oid, params, body):
    if verb == "GET" and method == "get_cases":
        if oid != d["project"]:
            return bad("Field :project_id is not a valid or accessible project.")
        if "suite_id" in params and params["suite_id"] != str(d["suite"]):
            return bad("Field :suite_id is not a valid test suite.")
        cases = [{"id": i, "title": "case %d" % i, "suite_id": d["suite"], "section_id": 1,
                  "custom_automation_id": None} for i in range(1, d["cases"] + 1)]
        return page(d, "get_cases", oid, params, "cases", cases)
    if verb == "GET" and method == "get_runs":
        if oid != d["project"]:
            return bad("Field :project_id is not a valid or accessible project.")
        runs = [public_run(r) for r in d["runs"].values()]
        if "is_completed" in params:
            want = params["is_completed"] == "1"
            runs = [r for r in runs if r["is_completed"] == want]
        return page(d, "get_runs", oid, params, "runs", runs)
    run = d["runs"].get(oid)
    if verb == "GET" and method == "get_run":
        if not run:
            return bad("Field :run_id is not a valid test run.")
        return 200, {}, public_run(run)
    if verb == "GET" and method == "get_tests":
        if not run:
            return bad("Field :run_id is not a valid test run.")
        latest = {}
        for r in run["results"]:
            latest[r["case_id"]] = r["status_id"]
        tests = [{"id": 10000 + c, "case_id": c, "run_id": oid, "status_id": latest.get(c, 3),
                  "title": "case %d" % c} for c in sorted(set(run["case_ids"]))]
        return page(d, "get_tests", oid, params, "tests", tests)
    if verb == "GET" and method == "get_results_for_run":
        if not run:
            return bad("Field :run_id is not a valid test run.")
        results = list(reversed(run["results"]))  # newest first, as TestRail lists them
        return page(d, "get_results_for_run", oid, params, "results", results)
    if verb == "POST" and method == "add_run":
        if oid != d["project"]:
            return bad("Field :project_id is not a valid or accessible project.")
        if "suite_id" not in body:
            return bad("Field :suite_id is a required field.")
        if body["suite_id"] != d["suite"]:
            return bad("Field :suite_id is not a valid test suite.")
        name = body.get("name")
        if not isinstance(name, str) or not name or len(name) > 250:
            return bad("Field :name is a required field.")
        include_all = body.get("include_all", True)
        ids = body.get("case_ids", [])
        if not isinstance(ids, list) or not all(isinstance(c, int) for c in ids):
            return bad("Field :case_ids is not a valid list of case IDs.")
        if any(c < 1 or c > d["cases"] for c in ids):
            return bad("Field :case_ids contains one or more invalid cases.")
        cases = range(1, d["cases"] + 1) if include_all else ids
        run = new_run(d, name, cases, body["suite_id"], body.get("description"))
        run["include_all"] = bool(include_all)
        return 200, {}, public_run(run)
    if verb == "POST" and method == "add_results_for_cases":
        if not run:
            return bad("Field :run_id is not a valid test run.")
        if run["is_completed"]:
            return bad("Field :run_id refers to a test run that is completed (archived); "
                       "it cannot be changed.")
        results = body.get("results")
        if not isinstance(results, list) or not results:
            return bad("Field :results is a required field.")
        in_run = set(run["case_ids"])
        for r in results:
            if not isinstance(r, dict) or not isinstance(r.get("case_id"), int):
                return bad("Field :results cannot be parsed (a result without case_id).")
            if r["case_id"] not in in_run:
                return bad("Field :results contains an invalid case ID (C%d) or a case that "
                           "is not part of the test run." % r["case_id"])
            s = r.get("status_id")
            if not isinstance(s, int) or s < 1 or s > 12 or s == 3:
                return bad("Field :status_id uses an invalid status (%r); Untested (3) "
                           "cannot be added." % (s,))
            if "elapsed" in r:
                e = r["elapsed"]
                m = TIMESPAN.match(e) if isinstance(e, str) else None
                if not m or not any(m.groups()) or all(int(g or 0) == 0 for g in m.groups()):
                    return bad("Field :elapsed is not in a valid time span format (%r)." % (e,))
        out = []
        for r in results:
            kept = dict(r)
            kept["id"] = d["next_result"]
            kept["test_id"] = 10000 + r["case_id"]
            kept["created_on"] = int(time.time())
            d["next_result"] += 1
            run["results"].append(kept)
            out.append(kept)
        return 200, {}, out
    if verb == "POST" and method == "close_run":
        if not run:
            return bad("Field :run_id is not a valid test run.")
        if run["is_completed"]:
            return bad("Field :run_id refers to a test run that is already completed.")
        run["is_completed"] = True
        run["completed_on"] = int(time.time())
        return 200, {}, public_run(run)
    return 404, {}, {"error": "Unknown method '%s'." % method}
