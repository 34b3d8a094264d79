"""Azure DevOps REST 7.1: the routes insight uses (pull request threads and
their comments; test runs and their results), with Azure's answers and error
bodies (B.6 of shared/reference/integrations.md; the operations and schemas
of shared/reference/specs/azure-devops-7.1/git.json and test.json).

Paths are /{organization}/{project}/_apis/..., matched without regard to
case, as Azure does; every request must carry ?api-version=7.1. Lists are
answered as Azure answers them, {"count": n, "value": [...]}, whole
(threads are not paged). A thread comment holds at most 150,000 characters;
a test result's outcome must be one of Azure's TestOutcome names; results go
only to a run that is not completed.

Options (contract.py --option):
  token=T        requests must carry "Authorization: Bearer T" (or Basic with
                 T as the password); else 401 with Azure's TF400813 body
  org=O          the organization (default acme); project=P (default "Shop Web")
  repo=R         the repository's name (default shop); repo_id=G its id
  pr=N           the pull request that exists (default 1)
  threads=N      the pull request starts with N threads by reviewers (some
                 with replies, some system threads, one deleted)
  build=B        the build whose runs are listed (any id is accepted)
"""

import base64
import re
import time
import urllib.parse

REPO_ID = "3411ebc1-d5aa-464f-9615-0b527bc66719"
PROJECT_ID = "eb6e4656-77fc-42a1-9181-4c6d8e9da5d1"


def vss_error(message, type_key, type_name):
    """Azure's error body: its message, with the exception's names."""
    return {"$id": "1", "innerException": None, "message": message,
            "typeName": "%s, Microsoft.TeamFoundation.Framework.Server" % type_name,
            "typeKey": type_key, "errorCode": 0, "eventId": 3000}


ERRORS = {
    400: vss_error("VS403505: The request is not valid.", "InvalidArgumentValueException",
                   "Microsoft.TeamFoundation.Framework.Server.InvalidArgumentValueException"),
    401: vss_error("TF400813: The user 'anonymous' is not authorized to access this resource.",
                   "UnauthorizedRequestException",
                   "Microsoft.TeamFoundation.Framework.Server.UnauthorizedRequestException"),
    403: vss_error("TF401027: You need the Git 'PullRequestContribute' permission to perform "
                   "this action. Details: identity 'Build\\eb6e4656-77fc-42a1-9181-4c6d8e9da5d1', "
                   "scope 'repository'.", "GitNeedsPermissionException",
                   "Microsoft.TeamFoundation.Git.Server.GitNeedsPermissionException"),
    404: vss_error("TF401019: The Git repository with name or identifier shop does not exist or "
                   "you do not have permissions for the operation you are attempting.",
                   "GitRepositoryNotFoundException",
                   "Microsoft.TeamFoundation.Git.Server.GitRepositoryNotFoundException"),
    429: vss_error("TF400733: The request has been canceled: Request was blocked due to "
                   "exceeding usage of resource 'Concurrency' in namespace 'User'.",
                   "RequestBlockedException",
                   "Microsoft.TeamFoundation.Framework.Server.RequestBlockedException"),
    500: vss_error("VS402371: An unexpected error occurred.", "VssServiceException",
                   "Microsoft.VisualStudio.Services.Common.VssServiceException"),
}

# Test runs answer 403 with the access check's message instead (a fault's
# "error": "runs").
RUNS_403 = vss_error("Access Denied: Project Collection Build Service (acme) needs the following "
                     "permission(s) on the resource Shop Web to perform this action: Create test runs",
                     "AccessCheckException",
                     "Microsoft.TeamFoundation.Framework.Server.AccessCheckException")

OUTCOMES = ("Unspecified", "None", "Passed", "Failed", "Inconclusive", "Timeout", "Aborted",
            "Blocked", "NotExecuted", "Warning", "Error", "NotApplicable", "Paused",
            "InProgress", "NotImpacted")


def error_body(status, kind=None):
    if status == 403 and kind == "runs":
        return RUNS_403
    if status in ERRORS:
        return ERRORS[status]
    if status in (502, 503, 504):
        return "<html><body><h1>%d Bad Gateway</h1></body></html>" % status
    return vss_error("VS402371: Error %d." % status, "VssServiceException",
                     "Microsoft.VisualStudio.Services.Common.VssServiceException")


def now_iso():
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def identity(name, uid):
    return {"displayName": name, "id": uid, "uniqueName": name.lower().replace(" ", ".") + "@acme.example",
            "url": "https://spsprodweu5.vssps.visualstudio.com/A/_apis/Identities/" + uid,
            "imageUrl": "https://dev.azure.com/acme/_api/_common/identityImage?id=" + uid}


BUILD_SERVICE = identity("Shop Web Build Service (acme)", "eb6e4656-77fc-42a1-9181-4c6d8e9da5d1")
REVIEWERS = [identity("Reviewer %d" % i, "0000000%d-1111-2222-3333-444444444444" % i) for i in range(3)]


def setup(state):
    o = state.options
    d = state.data
    d["org"] = o.get("org", "acme")
    d["project"] = o.get("project", "Shop Web")
    d["repo"] = o.get("repo", "shop")
    d["repo_id"] = o.get("repo_id", REPO_ID)
    d["pr"] = int(o.get("pr", "1"))
    d["threads"] = {}
    d["next_thread"] = 100
    d["runs"] = {}
    d["next_run"] = 1
    d["results"] = {}
    for i in range(1, int(o.get("threads", "0")) + 1):
        who = REVIEWERS[i % 3]
        if i % 10 == 0:
            # a system thread: Azure's own note of a policy or a vote
            comments = [comment(1, "Reviewer %d voted 10" % (i % 3), who, "system")]
        else:
            comments = [comment(1, "review note %d" % i, who, "text")]
            if i % 4 == 0:
                comments.append(comment(2, "reply to %d" % i, REVIEWERS[(i + 1) % 3], "text", 1))
        t = new_thread(state, comments, "active")
        if i == 5:
            # a deleted thread that held a report: never updated again
            t["isDeleted"] = True
            t["comments"][0]["content"] = "<!-- insight:report sut=shop -->\nan old report, deleted"


def comment(cid, content, who, kind, parent=0):
    return {"id": cid, "parentCommentId": parent, "author": who, "content": content,
            "publishedDate": now_iso(), "lastUpdatedDate": now_iso(),
            "lastContentUpdatedDate": now_iso(), "commentType": kind, "usersLiked": []}


def new_thread(state, comments, status):
    d = state.data
    d["next_thread"] += 1
    tid = d["next_thread"]
    t = {"id": tid, "publishedDate": now_iso(), "lastUpdatedDate": now_iso(),
         "comments": comments, "status": status, "threadContext": None,
         "properties": {}, "identities": None, "isDeleted": False,
         "_links": {"self": {"href": "%s/threads/%d" % (state.base_url, tid)}}}
    d["threads"][tid] = t
    return t


def listing(items):
    return {"count": len(items), "value": items}


def check_repo(state, m):
    d = state.data
    if m.group("repo").lower() not in (d["repo"].lower(), d["repo_id"].lower()):
        return 404, {}, ERRORS[404]
    if int(m.group("pr")) != d["pr"]:
        return 404, {}, vss_error("TF401180: The requested pull request was not found.",
                                  "GitPullRequestNotFoundException",
                                  "Microsoft.TeamFoundation.Git.Server.GitPullRequestNotFoundException")
    return None


def content_error(content):
    if not isinstance(content, str) or not content:
        return 400, {}, vss_error("The comment's content cannot be empty.", "InvalidArgumentValueException",
                                  "Microsoft.TeamFoundation.Framework.Server.InvalidArgumentValueException")
    if len(content) > 150000:
        return 400, {}, vss_error("TF401181: The comment content exceeds the maximum length of 150000 "
                                  "characters.", "InvalidArgumentValueException",
                                  "Microsoft.TeamFoundation.Framework.Server.InvalidArgumentValueException")
    return None


def list_threads(state, req, m):
    err = check_repo(state, m)
    if err:
        return err
    return 200, {}, listing(list(state.data["threads"].values()))


def create_thread(state, req, m):
    err = check_repo(state, m)
    if err:
        return err
    j = req["json"] or {}
    comments = j.get("comments") or []
    if not comments:
        return 400, {}, vss_error("The thread must contain at least one comment.",
                                  "InvalidArgumentValueException",
                                  "Microsoft.TeamFoundation.Framework.Server.InvalidArgumentValueException")
    made = []
    for i, c in enumerate(comments, 1):
        err = content_error(c.get("content"))
        if err:
            return err
        made.append(comment(i, c["content"], BUILD_SERVICE, c.get("commentType", "text"),
                            c.get("parentCommentId", 0)))
    t = new_thread(state, made, j.get("status", "active"))
    return 200, {}, t


def update_comment(state, req, m):
    err = check_repo(state, m)
    if err:
        return err
    t = state.data["threads"].get(int(m.group("thread")))
    cid = int(m.group("comment"))
    c = next((c for c in (t or {}).get("comments", []) if c["id"] == cid), None)
    if not t or t["isDeleted"] or not c:
        return 404, {}, vss_error("TF401174: The item %s could not be found in the repository." % cid,
                                  "CommentNotFoundException",
                                  "Microsoft.TeamFoundation.Git.Server.CommentNotFoundException")
    if c["author"]["id"] != BUILD_SERVICE["id"]:
        return 403, {}, vss_error("TF401186: Cannot edit a comment authored by another user.",
                                  "GitNeedsPermissionException",
                                  "Microsoft.TeamFoundation.Git.Server.GitNeedsPermissionException")
    content = (req["json"] or {}).get("content")
    err = content_error(content)
    if err:
        return err
    c["content"] = content
    c["lastUpdatedDate"] = c["lastContentUpdatedDate"] = now_iso()
    return 200, {}, c


def run_view(state, run):
    return dict(run, url="%s/%s/_apis/test/Runs/%d" % (state.base_url, state.data["org"], run["id"]))


def list_runs(state, req, m):
    q = req["query"]
    runs = list(state.data["runs"].values())
    if "buildUri" in q:
        runs = [r for r in runs if r["buildConfiguration"]["uri"] == q["buildUri"][0]]
    if q.get("automated", [""])[0] == "true":
        runs = [r for r in runs if r["isAutomated"]]
    return 200, {}, listing([run_view(state, r) for r in runs])


def create_run(state, req, m):
    j = req["json"] or {}
    if not j.get("name"):
        return 400, {}, vss_error("The test run name is required.", "InvalidPropertyException",
                                  "Microsoft.TeamFoundation.TestManagement.WebApi.InvalidPropertyException")
    state_ = j.get("state", "NotStarted")
    if state_ not in ("NotStarted", "InProgress", "Waiting"):
        return 400, {}, vss_error("Invalid run state %s." % state_, "InvalidPropertyException",
                                  "Microsoft.TeamFoundation.TestManagement.WebApi.InvalidPropertyException")
    build = (j.get("build") or {}).get("id")
    d = state.data
    rid = d["next_run"]
    d["next_run"] += 1
    run = {"id": rid, "name": j["name"], "isAutomated": bool(j.get("automated")), "state": state_,
           "build": {"id": str(build)} if build else None,
           "buildConfiguration": {"id": int(build) if build else 0,
                                  "uri": "vstfs:///Build/Build/%s" % build if build else None},
           "comment": j.get("comment"), "createdDate": now_iso(), "startedDate": now_iso(),
           "completedDate": None, "owner": BUILD_SERVICE, "totalTests": 0, "passedTests": 0,
           "incompleteTests": 0, "notApplicableTests": 0, "unanalyzedTests": 0,
           "project": {"id": PROJECT_ID, "name": d["project"]}, "revision": 1,
           "webAccessUrl": "https://dev.azure.com/%s/%s/_TestManagement/Runs?runId=%d" % (
               d["org"], urllib.parse.quote(d["project"]), rid)}
    d["runs"][rid] = run
    d["results"][rid] = []
    return 200, {}, run_view(state, run)


def update_run(state, req, m):
    run = state.data["runs"].get(int(m.group("run")))
    if not run:
        return 404, {}, vss_error("Test run %s not found." % m.group("run"), "TestObjectNotFoundException",
                                  "Microsoft.TeamFoundation.TestManagement.WebApi.TestObjectNotFoundException")
    j = req["json"] or {}
    if "state" in j:
        if j["state"] not in ("NotStarted", "InProgress", "Completed", "Aborted", "Waiting"):
            return 400, {}, vss_error("Invalid run state %s." % j["state"], "InvalidPropertyException",
                                      "Microsoft.TeamFoundation.TestManagement.WebApi.InvalidPropertyException")
        run["state"] = j["state"]
        if j["state"] in ("Completed", "Aborted"):
            run["completedDate"] = now_iso()
    if "errorMessage" in j:
        run["errorMessage"] = j["errorMessage"]
    run["revision"] += 1
    return 200, {}, run_view(state, run)


def add_results(state, req, m):
    rid = int(m.group("run"))
    run = state.data["runs"].get(rid)
    if not run:
        return 404, {}, vss_error("Test run %d not found." % rid, "TestObjectNotFoundException",
                                  "Microsoft.TeamFoundation.TestManagement.WebApi.TestObjectNotFoundException")
    if run["state"] in ("Completed", "Aborted"):
        return 400, {}, vss_error("Test run %d is completed: results cannot be added." % rid,
                                  "InvalidPropertyException",
                                  "Microsoft.TeamFoundation.TestManagement.WebApi.InvalidPropertyException")
    items = req["json"]
    if not isinstance(items, list) or not items:
        return 400, {}, ERRORS[400]
    results = state.data["results"][rid]
    made = []
    for it in items:
        if it.get("outcome") not in OUTCOMES:
            return 400, {}, vss_error("Invalid outcome %r." % it.get("outcome"), "InvalidPropertyException",
                                      "Microsoft.TeamFoundation.TestManagement.WebApi.InvalidPropertyException")
        if len(it.get("comment") or "") > 1000:
            return 400, {}, vss_error("The comment is longer than 1000 characters.",
                                      "InvalidPropertyException",
                                      "Microsoft.TeamFoundation.TestManagement.WebApi.InvalidPropertyException")
        res = dict(it, id=100000 + len(results) + len(made), testRun={"id": str(rid)},
                   lastUpdatedDate=now_iso())
        made.append(res)
    results.extend(made)
    run["totalTests"] = len(results)
    run["passedTests"] = sum(r["outcome"] == "Passed" for r in results)
    return 200, {}, listing(made)


def list_results(state, req, m):
    rid = int(m.group("run"))
    if rid not in state.data["runs"]:
        return 404, {}, vss_error("Test run %d not found." % rid, "TestObjectNotFoundException",
                                  "Microsoft.TeamFoundation.TestManagement.WebApi.TestObjectNotFoundException")
    q = req["query"]
    skip = int(q.get("$skip", ["0"])[0])
    top = min(int(q.get("$top", ["1000"])[0]), 1000)
    return 200, {}, listing(state.data["results"][rid][skip:skip + top])


GIT = r"/git/repositories/(?P<repo>[^/]+)/pullrequests/(?P<pr>\d+)/threads"
ROUTES = [
    ("GET", GIT, list_threads),
    ("POST", GIT, create_thread),
    ("PATCH", GIT + r"/(?P<thread>\d+)/comments/(?P<comment>\d+)", update_comment),
    ("GET", r"/test/runs", list_runs),
    ("POST", r"/test/runs", create_run),
    ("PATCH", r"/test/runs/(?P<run>\d+)", update_run),
    ("POST", r"/test/runs/(?P<run>\d+)/results", add_results),
    ("GET", r"/test/runs/(?P<run>\d+)/results", list_results),
]


def authorised(state, req):
    token = state.options.get("token")
    if not token:
        return True
    h = req["headers"].get("Authorization") or ""
    if h == "Bearer " + token:
        return True
    if h.startswith("Basic "):
        try:
            return base64.b64decode(h[6:]).decode().split(":", 1)[1] == token
        except (ValueError, IndexError):
            return False
    return False


def dispatch(state, req):
    d = state.data
    parts = req["path"].split("/", 3)
    if len(parts) < 4 or not parts[3].lower().startswith("_apis/"):
        return 404, {}, "<html><body>Page not found.</body></html>"
    org, project, rest = urllib.parse.unquote(parts[1]), urllib.parse.unquote(parts[2]), parts[3][5:]
    if not authorised(state, req):
        return 401, {"WWW-Authenticate": "Bearer authorization_uri=https://login.microsoftonline.com/"},\
            ERRORS[401]
    if req["query"].get("api-version") != ["7.1"]:
        return 400, {}, vss_error(
            "VS800006: No api-version was supplied for the \"%s\" request. The version must be "
            "supplied either as part of the Accept header (e.g. \"application/json; "
            "api-version=1.0\") or as a query parameter (e.g. '?api-version=1.0')." % req["method"],
            "VssVersionNotSpecifiedException",
            "Microsoft.VisualStudio.Services.WebApi.VssVersionNotSpecifiedException")
    if org != d["org"] or project.lower() not in (d["project"].lower(), PROJECT_ID):
        return 404, {}, vss_error("TF200016: The following project does not exist: %s." % project,
                                  "ProjectDoesNotExistWithNameException",
                                  "Microsoft.TeamFoundation.Core.WebApi.ProjectDoesNotExistWithNameException")
    with state.lock:
        for method, pattern, fn in ROUTES:
            m = re.fullmatch(pattern, rest, re.IGNORECASE)
            if m and method == req["method"]:
                status, headers, body = fn(state, req, m)
                headers = dict(headers)
                headers.setdefault("X-TFS-ProcessId", "00000000-0000-0000-0000-000000000000")
                headers.setdefault("ActivityId", "11111111-2222-3333-4444-555555555555")
                return status, headers, body
    return 404, {}, vss_error("VS402371: The resource cannot be found.", "VssResourceNotFoundException",
                              "Microsoft.VisualStudio.Services.WebApi.VssResourceNotFoundException")
