-- wrk script: POST /issues.json with a small issue body (the API key comes from the
-- command line's -H).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"issue":{"project_id":"bench","subject":"Created by the benchmark","description":"one\\ntwo","priority_id":2}}'
