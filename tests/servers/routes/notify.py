"""Where `insight notify` sends: a Slack incoming webhook and insight's own
generic webhook (B.7 of shared/reference/integrations.md).

Routes:
  POST /services/T.../B.../X...   a Slack incoming webhook. The payload must
                  be JSON with a non-empty "text" and, when it has them,
                  "blocks" within Block Kit's limits: at most 50 blocks, a
                  header's plain_text at most 150 characters, a section's
                  text at most 3000, at most 10 fields of at most 2000, at
                  most 10 context elements, a block_id at most 255. Success
                  is 200 with the plain-text body "ok"; a payload out of the
                  limits is 400 "invalid_blocks", one that is not JSON or has
                  no text 400 "invalid_payload"; an unknown hook 404
                  "no_service".
  POST /hook/...  insight's generic webhook: needs Content-Type
                  application/json, X-Insight-Event and X-Insight-Delivery;
                  with the option secret=S, X-Insight-Signature-256 must be
                  sha256=HMAC-SHA256(S, body) (401 otherwise). A delivery id
                  seen before is answered 200 {"duplicate": true} and not
                  counted; others 202 {"accepted": true}.
  POST /workflows/...  a Teams Workflows webhook ("When a Teams webhook
                  request is received"): the body must be a message envelope,
                  {"type": "message", "attachments": [{"contentType":
                  "application/vnd.microsoft.card.adaptive", "content": an
                  Adaptive Card of version 1.4 or lower with a body}]}, and
                  at most 28 KB; 202 with no body, as Workflows answers;
                  400 {"error": {"code": "InvalidRequestContent", ...}}
                  otherwise. (The card itself is checked by the test with
                  the adaptivecards package and the Adaptive Card JSON
                  schema of adaptivecards-designer.)
  POST /api/chat.postMessage  Slack's Web API with a bot token (option
                  bot_token=T: "Authorization: Bearer T"): the JSON body needs
                  channel (option channel, default C0NOTIFY) and text, blocks
                  within the limits above; 200 {"ok": true, "channel", "ts",
                  "message"} with a new ts each time, thread_ts echoed in the
                  message; Slack's 200 {"ok": false, "error": ...} for
                  not_authed, invalid_auth, channel_not_found,
                  invalid_blocks, thread_not_found.
  GET /__deliveries  the delivery ids the hook accepted, in order.

Options (contract.py --option):
  slack_path=P    the one Slack hook path that exists (default: any under
                  /services/)
  secret=S        the generic webhook's signing key

Errors are Slack's plain-text codes (B.7): 400 invalid_payload, 403
action_prohibited, 404 no_service, 410 channel_is_archived, 429
rate_limited, 500 rollup_error; other statuses "error".
"""

import hashlib
import hmac
import json

ERRORS = {
    400: "invalid_payload",
    403: "action_prohibited",
    404: "no_service",
    410: "channel_is_archived",
    429: "rate_limited",
    500: "rollup_error",
    502: "<html><body><h1>502 Bad Gateway</h1></body></html>",
    503: "service_unavailable",
}

TEXT = {"Content-Type": "text/plain; charset=utf-8"}


def error_body(status, kind=None):
    return ERRORS.get(status, "error")


def setup(state):
    state.data["deliveries"] = []


def block_problem(blocks):
    """Why `blocks` breaks Block Kit's limits, or None."""
    if not isinstance(blocks, list):
        return "blocks is not a list"
    if len(blocks) > 50:
        return "more than 50 blocks"
    for b in blocks:
        t = b.get("type")
        if len(b.get("block_id", "")) > 255:
            return "block_id too long"
        if t == "header":
            text = b.get("text", {})
            if text.get("type") != "plain_text" or not (0 < len(text.get("text", "")) <= 150):
                return "header text must be plain_text of 1 to 150 characters"
        elif t == "section":
            text = b.get("text")
            fields = b.get("fields")
            if text is None and fields is None:
                return "section without text or fields"
            if text is not None and not (0 < len(text.get("text", "")) <= 3000):
                return "section text must be 1 to 3000 characters"
            if fields is not None and (len(fields) > 10 or
                                       any(len(f.get("text", "")) > 2000 for f in fields)):
                return "section fields: at most 10 of at most 2000 characters"
        elif t == "context":
            els = b.get("elements", [])
            if not 0 < len(els) <= 10:
                return "context: 1 to 10 elements"
        elif t not in ("divider", "actions", "image", "rich_text"):
            return "unknown block type %r" % t
    return None


def dispatch(state, req):
    path = req["path"]
    o = state.options
    if req["method"] == "GET" and path == "/__deliveries":
        with state.lock:
            return 200, {}, list(state.data["deliveries"])
    if req["method"] != "POST":
        return 405, TEXT, "method_not_allowed"
    if path.startswith("/services/"):
        if o.get("slack_path") and path != o["slack_path"]:
            return 404, TEXT, "no_service"
        body = req["json"]
        if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"]:
            return 400, TEXT, "invalid_payload"
        if "blocks" in body and block_problem(body["blocks"]):
            return 400, TEXT, "invalid_blocks"
        return 200, TEXT, "ok"
    if path == "/api/chat.postMessage":
        auth = req["headers"].get("Authorization") or ""
        if not auth:
            return 200, {}, {"ok": False, "error": "not_authed"}
        if o.get("bot_token") and auth != "Bearer " + o["bot_token"]:
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        body = req["json"]
        if not isinstance(body, dict) or not body.get("text"):
            return 200, {}, {"ok": False, "error": "no_text"}
        if body.get("channel") != o.get("channel", "C0NOTIFY"):
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        if "blocks" in body and block_problem(body["blocks"]):
            return 200, {}, {"ok": False, "error": "invalid_blocks"}
        with state.lock:
            posted = state.data.setdefault("posted", [])
            if body.get("thread_ts") and body["thread_ts"] not in posted:
                return 200, {}, {"ok": False, "error": "thread_not_found"}
            ts = "1764950400.%06d" % (len(posted) + 1)
            posted.append(ts)
        message = {"type": "message", "text": body["text"], "ts": ts}
        if body.get("thread_ts"):
            message["thread_ts"] = body["thread_ts"]
        return 200, {}, {"ok": True, "channel": body["channel"], "ts": ts, "message": message}
    if path.startswith("/workflows/"):
        body = req["json"]
        problem = None
        if len(req["body"]) > 28 * 1024:
            problem = "the message is larger than 28 KB"
        elif not isinstance(body, dict) or body.get("type") != "message":
            problem = "not a message envelope"
        else:
            atts = body.get("attachments") or []
            if len(atts) != 1 or atts[0].get("contentType") != "application/vnd.microsoft.card.adaptive":
                problem = "one Adaptive Card attachment is expected"
            else:
                card = atts[0].get("content") or {}
                if card.get("type") != "AdaptiveCard" or card.get("version") not in ("1.0", "1.1", "1.2", "1.3", "1.4"):
                    problem = "the attachment is not an Adaptive Card of version 1.4 or lower"
                elif not card.get("body"):
                    problem = "the card has no body"
        if problem:
            return 400, {}, {"error": {"code": "InvalidRequestContent", "message": problem}}
        return 202, {}, b""
    if path.startswith("/hook"):
        h = req["headers"]
        if not (h.get("Content-Type") or "").startswith("application/json") or req["json"] is None:
            return 400, {}, {"error": "the body must be JSON"}
        delivery = h.get("X-Insight-Delivery")
        if not h.get("X-Insight-Event") or not delivery:
            return 400, {}, {"error": "X-Insight-Event and X-Insight-Delivery are required"}
        if o.get("secret"):
            want = "sha256=" + hmac.new(o["secret"].encode(), req["body"],
                                        hashlib.sha256).hexdigest()
            if not hmac.compare_digest(want, h.get("X-Insight-Signature-256") or ""):
                return 401, {}, {"error": "bad signature"}
        with state.lock:
            if delivery in state.data["deliveries"]:
                return 200, {}, {"duplicate": True}
            state.data["deliveries"].append(delivery)
        return 202, {}, {"accepted": True}
    return 404, TEXT, "no_service"
