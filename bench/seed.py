#!/usr/bin/env python3
"""Seed a carmine server through its API: users, a project, N issues, each with a journal,
one in ten related to another.

usage: bench/seed.py BASE_URL API_KEY [ISSUES] [THREADS]
"""
import http.client
import json
import sys
import threading
import urllib.parse

base, key = sys.argv[1], sys.argv[2]
issues = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 8
url = urllib.parse.urlparse(base)


def client():
    return http.client.HTTPConnection(url.hostname, url.port, timeout=30)


def call(conn, method, path, body=None):
    headers = {"X-Redmine-API-Key": key, "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = conn.getresponse()
    data = r.read()
    if r.status >= 300:
        raise SystemExit(f"{method} {path}: {r.status} {data[:200]!r}")
    return json.loads(data) if data else None


conn = client()
pid = call(conn, "POST", "/projects.json", {"project": {"name": "Bench", "identifier": "bench"}})["project"]["id"]
users = []
for i in range(5):
    u = call(conn, "POST", "/users.json", {"user": {"login": f"dev{i}", "firstname": "Dev", "lastname": str(i), "mail": f"dev{i}@example.net"}})
    users.append(u["user"]["id"])
    call(conn, "POST", f"/projects/{pid}/memberships.json", {"membership": {"user_id": u["user"]["id"], "role_ids": [4]}})


def work(start, stop):
    c = client()
    prev = None
    for n in range(start, stop):
        issue = call(c, "POST", "/issues.json", {"issue": {
            "project_id": pid, "subject": f"Bench issue {n}", "description": "Seeded for the benchmark\nline two",
            "assigned_to_id": users[n % len(users)], "estimated_hours": n % 8, "priority_id": 1 + n % 5}})
        iid = issue["issue"]["id"]
        call(c, "PUT", f"/issues/{iid}.json", {"issue": {"notes": f"First note on {n}", "status_id": 2, "done_ratio": 10 * (n % 10)}})
        # one issue in ten is related to the one seeded before it
        if prev is not None and n % 10 == 0:
            call(c, "POST", f"/issues/{iid}/relations.json", {"relation": {"issue_to_id": prev, "relation_type": "relates"}})
        prev = iid


step = (issues + threads - 1) // threads
ts = [threading.Thread(target=work, args=(i * step, min(issues, (i + 1) * step))) for i in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print(f"seeded {issues} issues with a journal each in project {pid}", file=sys.stderr)
