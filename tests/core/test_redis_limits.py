"""With CONSULT_REDIS_URL set, rate limits live in Redis (shared by every worker) and hold no IP."""

from __future__ import annotations

import uuid

import redis

from tests.support.browser import Browser
from tests.support.journey import look_up_receipt


def test_receipt_limits_are_kept_in_redis_without_addresses(app_factory, redis_url: str) -> None:
    prefix = f"consult-test-{uuid.uuid4().hex}"
    app = app_factory(CONSULT_REDIS_URL=redis_url, RATELIMIT_KEY_PREFIX=prefix)
    assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
    client = redis.Redis.from_url(redis_url)
    try:
        browser = Browser(app.test_client())
        # The limit per receipt code (the one per address is looser).
        codes = ["ABCD-EFGH-3333"] * 11
        statuses = [look_up_receipt(browser.client, code) for code in codes]
        assert statuses[-1] == 429 and statuses[:10] == [404] * 10
        keys = [k.decode() for k in client.scan_iter(f"*{prefix}*")]
        assert keys, "the limiter wrote its counters to Redis"
        assert not any("127.0.0.1" in key or "localhost" in key for key in keys)
        assert not any("ABCD" in key for key in keys), "nor receipt codes"
        # A second app (another worker) shares the same counters.
        other = app_factory(CONSULT_REDIS_URL=redis_url, RATELIMIT_KEY_PREFIX=prefix)
        assert look_up_receipt(other.test_client(), codes[0]) == 429
    finally:
        for key in client.scan_iter(f"*{prefix}*"):
            client.delete(key)
        client.close()
