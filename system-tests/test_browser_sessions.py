"""Browser credentials (issue 20): cookie sessions with CSRF protection, single-use WebSocket
tickets, CORS with credentials. The headless-browser run of the seed's flow is in
test_browser_frontend.py; these check each rule with plain HTTP."""

import json
import time

import pytest
import requests
import websocket

from kiln_process import KilnProcess

ORIGIN = "http://localhost:3000"


@pytest.fixture
def server(tmp_path):
    server = KilnProcess(tmp_path / "data", extra_args=["--cors-origins", ORIGIN]).start()
    yield server
    server.stop()


def login(server, key=None):
    session = requests.Session()
    opened = session.post(f"{server.url}/v1/sessions", json={"api_key": key or server.admin_key})
    assert opened.status_code == 201, opened.text
    return session, opened


def test_a_session_cookie_authenticates_and_unsafe_requests_need_the_csrf_token(server):
    session, opened = login(server)
    cookie = opened.headers["Set-Cookie"]
    assert cookie.startswith("kiln_session=kses_") and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP, no proxy saying otherwise
    body = opened.json()
    assert body["role"] == "admin" and body["kind"] == "api_key" and len(body["csrf_token"]) >= 40
    assert server.admin_key not in opened.text

    assert session.get(f"{server.url}/v1/keys").status_code == 200
    assert session.get(f"{server.url}/v1/sessions/current").json()["csrf_token"] == body["csrf_token"]
    # Unsafe without the token: refused, and nothing was created.
    refused = session.post(f"{server.url}/v1/keys", json={"role": "user"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    wrong = session.post(f"{server.url}/v1/keys", json={"role": "user"}, headers={"X-CSRF-Token": "x" * 43})
    assert wrong.status_code == 403
    assert len(session.get(f"{server.url}/v1/keys").json()["keys"]) == 1
    created = session.post(f"{server.url}/v1/keys", json={"role": "user"}, headers={"X-CSRF-Token": body["csrf_token"]})
    assert created.status_code == 201

    # A cross-site form post carries the cookie but neither the token nor a trusted origin.
    forged = session.post(f"{server.url}/v1/keys", data={"role": "admin"},
                          headers={"Origin": "http://evil.example", "X-CSRF-Token": body["csrf_token"]})
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf_failed"
    # The configured origin and the server's own are trusted.
    for origin in (ORIGIN, server.url):
        assert session.get(f"{server.url}/v1/keys", headers={"Origin": origin}).status_code == 200

    # Logout ends the session; the cookie no longer works.
    assert session.delete(f"{server.url}/v1/sessions/current").status_code == 403  # logout needs the token too
    out = session.delete(f"{server.url}/v1/sessions/current", headers={"X-CSRF-Token": body["csrf_token"]})
    assert out.status_code == 204 and "Max-Age=0" in out.headers["Set-Cookie"]
    stale = requests.get(f"{server.url}/v1/keys", cookies={"kiln_session": session.cookies.get("kiln_session") or opened.cookies["kiln_session"]})
    assert stale.status_code == 401


def test_logins_that_are_refused(server):
    assert requests.post(f"{server.url}/v1/sessions").status_code == 401
    assert requests.post(f"{server.url}/v1/sessions", json={"api_key": "kiln_nope"}).status_code == 401
    assert requests.post(f"{server.url}/v1/sessions", json={"key": "x"}).status_code == 400
    assert requests.post(f"{server.url}/v1/sessions", data="api_key=x", headers={"Content-Type": "text/plain"}).status_code == 415
    # A forged or unknown cookie is not a session.
    assert requests.get(f"{server.url}/v1/keys", cookies={"kiln_session": "kses_forged"}).status_code == 401
    # The header opens a session too (a page holding a token, or curl).
    opened = requests.post(f"{server.url}/v1/sessions", headers=server.headers())
    assert opened.status_code == 201 and "kiln_session=" in opened.headers["Set-Cookie"]
    # Behind a proxy that terminates TLS the cookie is Secure.
    proxied = requests.post(f"{server.url}/v1/sessions", headers={**server.headers(), "X-Forwarded-Proto": "https"})
    assert "Secure" in proxied.headers["Set-Cookie"]


def test_revoking_the_key_ends_its_sessions_and_an_admin_can_end_any_session(server):
    key = requests.post(f"{server.url}/v1/keys", json={"role": "user"}, headers=server.headers()).json()
    session, opened = login(server, key["key"])
    assert session.get(f"{server.url}/openapi.json").status_code == 200
    other, other_opened = login(server, key["key"])
    assert requests.delete(f"{server.url}/v1/sessions/{other_opened.json()['id']}", headers=server.headers()).status_code == 204
    assert other.get(f"{server.url}/openapi.json").status_code == 401  # this node evicts at once
    assert requests.delete(f"{server.url}/v1/keys/{key['id']}", headers=server.headers()).status_code == 204
    deadline = time.monotonic() + 7  # the verified-session cache holds an entry for at most 5 s
    while session.get(f"{server.url}/openapi.json").status_code == 200:
        assert time.monotonic() < deadline, "the session outlived its revoked key"
        time.sleep(0.25)
    assert session.get(f"{server.url}/openapi.json").status_code == 401


def test_sessions_and_tickets_expire(tmp_path):
    server = KilnProcess(tmp_path / "data", env={"KILN_SESSION_LIFETIME": str(1.5 / 3600), "KILN_WS_TICKET_LIFETIME": "1"}).start()
    try:
        session, _ = login(server)
        tickets = [requests.post(f"{server.url}/v1/ws-tickets", headers=server.headers()).json()["ticket"] for _ in range(2)]
        url = f"ws://127.0.0.1:{server.port}/ws/performance?ticket="
        websocket.create_connection(url + tickets[0], timeout=5).close()  # within its lifetime: accepted
        assert session.get(f"{server.url}/v1/keys").status_code == 200
        time.sleep(1.6)
        assert session.get(f"{server.url}/v1/keys").status_code == 401
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            websocket.create_connection(url + tickets[1], timeout=5)
        assert refused.value.status_code == 400  # hummingbird-websocket answers every refused upgrade with 400
    finally:
        server.stop()


def test_websocket_upgrades_take_a_single_use_ticket_or_the_cookie_from_a_trusted_origin(server):
    import shutil
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    shutil.copytree(root / "examples" / "models" / "tabular_mlp", server.data_dir / "models" / "tabular_mlp")
    assert requests.post(f"{server.url}/v2/repository/models/tabular_mlp/load", headers=server.headers()).status_code == 200
    body = {"inputs": [{"name": "features", "shape": [1, 30], "datatype": "FP32", "data": [0.25] * 30}]}
    job = requests.post(f"{server.url}/v1/models/tabular_mlp/infer-async", json=body, headers=server.headers()).json()["job_id"]
    url = f"ws://127.0.0.1:{server.port}/ws/jobs/{job}"

    def last_state(ws):
        state = None
        try:
            while state != "succeeded":
                state = json.loads(ws.recv()).get("state")
        finally:
            ws.close()
        return state

    ticket = requests.post(f"{server.url}/v1/ws-tickets", headers=server.headers())
    assert ticket.status_code == 201 and ticket.json()["expires_in_seconds"] == 30
    secret = ticket.json()["ticket"]
    assert last_state(websocket.create_connection(f"{url}?ticket={secret}", timeout=10)) == "succeeded"
    with pytest.raises(websocket.WebSocketBadStatusException) as again:
        websocket.create_connection(f"{url}?ticket={secret}", timeout=10)
    assert again.value.status_code == 400  # used once, never again (every refused upgrade is a 400)
    # A ticket is no credential for a plain request.
    other = requests.post(f"{server.url}/v1/ws-tickets", headers=server.headers()).json()["ticket"]
    assert requests.get(f"{server.url}/v1/jobs/{job}?ticket={other}").status_code == 401
    # An API key in the URL is never accepted.
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(f"{url}?ticket={server.admin_key}", timeout=10)

    session, _ = login(server)
    cookie = f"kiln_session={session.cookies['kiln_session']}"
    assert last_state(websocket.create_connection(url, header=[f"Cookie: {cookie}"], origin=ORIGIN, timeout=10)) == "succeeded"
    for origin in ("http://evil.example", None):
        with pytest.raises(websocket.WebSocketBadStatusException) as hijack:
            websocket.create_connection(url, header=[f"Cookie: {cookie}"], origin=origin, suppress_origin=origin is None, timeout=10)
        assert hijack.value.status_code == 400  # cross-site WebSocket hijacking


def test_cors_sends_credentials_for_named_origins_only(tmp_path):
    server = KilnProcess(tmp_path / "data", extra_args=["--cors-origins", f"{ORIGIN},*"]).start()
    try:
        preflight = requests.options(f"{server.url}/api/upload", headers={
            "Origin": ORIGIN, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-csrf-token"})
        assert preflight.status_code == 204
        assert preflight.headers["Access-Control-Allow-Origin"] == ORIGIN and preflight.headers["Access-Control-Allow-Credentials"] == "true"
        assert preflight.headers["Access-Control-Max-Age"] == "600" and "x-csrf-token" in preflight.headers["Access-Control-Allow-Headers"]
        assert preflight.headers["Vary"] == "Origin"
        named = requests.get(f"{server.url}/health", headers={"Origin": ORIGIN})
        assert named.headers["Access-Control-Allow-Credentials"] == "true" and "Content-Disposition" in named.headers["Access-Control-Expose-Headers"]
        # Admitted only by "*": echoed, but never with credentials.
        anyone = requests.get(f"{server.url}/health", headers={"Origin": "http://elsewhere.example"})
        assert anyone.headers["Access-Control-Allow-Origin"] == "http://elsewhere.example"
        assert "Access-Control-Allow-Credentials" not in anyone.headers
        # And "*" does not make an origin trusted for a session cookie.
        session, opened = login(server)
        csrf = opened.json()["csrf_token"]
        forged = session.post(f"{server.url}/v1/keys", json={"role": "user"}, headers={"Origin": "http://elsewhere.example", "X-CSRF-Token": csrf})
        assert forged.status_code == 403
    finally:
        server.stop()


def test_the_seed_frontend_profiles_start_and_serve_the_dashboard_as_documented(tmp_path):
    from pathlib import Path
    profiles = Path(__file__).resolve().parents[1] / "examples" / "seed-frontends"
    unchanged = KilnProcess(tmp_path / "a", extra_args=["--config", str(profiles / "ctr-dashboard.json")]).start()
    try:
        runs = requests.get(f"{unchanged.url}/api/train/runs", headers={"Origin": ORIGIN})  # no credentials, as the seed sends
        assert runs.status_code == 200 and runs.headers["Access-Control-Allow-Origin"] == ORIGIN
    finally:
        unchanged.stop()
    # The port flag overrides the profile's 8000 here; the login profile binds 0.0.0.0, so no anonymous access.
    shared = KilnProcess(tmp_path / "b", extra_args=["--config", str(profiles / "ctr-dashboard-login.json"), "--host", "127.0.0.1"]).start()
    try:
        assert requests.get(f"{shared.url}/api/train/runs").status_code == 401
        assert requests.get(f"{shared.url}/api/health").status_code == 200
        session, _ = login(shared)
        assert session.get(f"{shared.url}/api/train/runs", headers={"Origin": ORIGIN}).status_code == 200
    finally:
        shared.stop()
