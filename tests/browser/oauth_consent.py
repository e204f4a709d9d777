#!/usr/bin/env python3
"""The OAuth sign-in and consent page in a real headless browser (Debian's chromium,
driven by Selenium): a user opens the authorization URL, fills the form, approves, and the
browser follows the redirect to the client, which exchanges the code for a token that
then works on the API.

usage: tests/browser/oauth_consent.py CARMINE_BINARY
"""
import base64
import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

KEY = "0123456789abcdef0123456789abcdef01234567"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def call(base, method, path, body=None, headers=None, form=False):
    headers = dict(headers or {})
    data = None
    if body is not None:
        if form:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    req = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def main():
    binary = sys.argv[1]
    data = tempfile.mkdtemp(prefix="carmine-browser-")
    port, client_port = free_port(), free_port()
    env = dict(os.environ, CARMINE_DATA=data, CARMINE_ADMIN_API_KEY=KEY, CARMINE_LOG="warn")
    server = subprocess.Popen([binary, "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                              stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/trackers.json")
                break
            except Exception:
                time.sleep(0.1)
        admin = {"X-Redmine-API-Key": KEY}
        status, _ = call(base, "POST", "/users.json", {"user": {
            "login": "carol", "firstname": "Carol", "lastname": "Browser",
            "mail": "carol@example.net", "password": "carol-pass-123"}}, admin)
        assert status == 201, status
        # the application, registered from the command line
        out = subprocess.run([binary, "oauth", "create", "--name", "Browser test",
                              "--redirect-uri", f"http://127.0.0.1:{client_port}/cb",
                              "--scopes", "view_project"],
                             env=env, check=True, capture_output=True, text=True).stdout
        fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
        client_id, secret = fields["client_id"].strip(), fields["client_secret"].strip()

        received = {}

        class Callback(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                received.update(urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query))
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"done")

            def log_message(self, *args):
                pass

        callback = http.server.HTTPServer(("127.0.0.1", client_port), Callback)
        threading.Thread(target=callback.serve_forever, daemon=True).start()

        verifier = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urllib.parse.urlencode({
            "response_type": "code", "client_id": client_id,
            "redirect_uri": f"http://127.0.0.1:{client_port}/cb", "scope": "view_project",
            "state": "from-the-browser", "code_challenge": challenge,
            "code_challenge_method": "S256"})

        options = Options()
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                    "--disable-gpu"):
            options.add_argument(arg)
        options.binary_location = "/usr/bin/chromium"
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            driver.get(f"{base}/oauth/authorize?{query}")
            assert "Browser test" in driver.title, driver.title
            assert "view project" in driver.page_source
            driver.find_element(By.NAME, "login").send_keys("carol")
            driver.find_element(By.NAME, "password").send_keys("carol-pass-123")
            driver.find_element(By.CSS_SELECTOR, "button[value=approve]").click()
            for _ in range(100):
                if "code" in received:
                    break
                time.sleep(0.1)
            else:
                print(driver.current_url, driver.page_source[:2000], file=sys.stderr)
        finally:
            driver.quit()
        assert received.get("state") == ["from-the-browser"], received
        code = received["code"][0]
        status, token = call(base, "POST", "/oauth/token", {
            "grant_type": "authorization_code", "code": code, "code_verifier": verifier,
            "redirect_uri": f"http://127.0.0.1:{client_port}/cb",
            "client_id": client_id, "client_secret": secret}, form=True)
        assert status == 200, token
        status, me = call(base, "GET", "/users/current.json",
                          headers={"Authorization": f"Bearer {token['access_token']}"})
        assert status == 200 and me["user"]["login"] == "carol", (status, me)
        print("browser OAuth flow: signed in, approved, redirected, exchanged, used: ok")
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
