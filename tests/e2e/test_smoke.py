"""Proves the browser set-up: chromium launches and reaches the live server."""


def test_browser_reaches_the_live_server(page, live_server):
    response = page.goto(live_server.url + "/healthz")

    assert response.status == 200
    assert response.json() == {"status": "ok", "database": "ok"}
