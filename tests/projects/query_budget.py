"""The query budget of a page (issue 3: at most 15 queries, whatever the size of the data).

Inside a test every request runs in the test's transaction, so ATOMIC_REQUESTS and the session
save wrap their work in SAVEPOINT / RELEASE SAVEPOINT statements (two per atomic block). In
production those blocks are the request's own BEGIN/COMMIT, which Django does not count. The
budget therefore applies to the statements a page really sends; the raw count, savepoints
included, is still bounded by django_assert_max_num_queries.
"""

PAGE_BUDGET = 15
TEST_TRANSACTION_STATEMENTS = 4  # the request's savepoint pair and the session save's pair


def assert_page_queries(client, url, django_assert_max_num_queries, budget=PAGE_BUDGET):
    client.get(url)  # warm per-process caches (the five conditions)
    with django_assert_max_num_queries(budget + TEST_TRANSACTION_STATEMENTS) as captured:
        response = client.get(url)
    assert response.status_code == 200
    statements = [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]
    assert len(statements) <= budget, "\n\n".join(statements)
    response.statements = statements  # to compare the counts at two sizes of data
    return response
