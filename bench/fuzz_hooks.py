"""schemathesis hooks for bench/fuzz.py (loaded with SCHEMATHESIS_HOOKS=fuzz_hooks).

Fresh Idempotency-Keys: the coverage phase sends an operation's optional header with the
same example value in case after case, so after the operation's first success every later
body would be answered 422 (the key was used with a different request) and never reach
the validation it is meant to test. Three requests in four get the generated key with a
number of their own; the fourth keeps it as generated, so replays, 422 and malformed keys
stay tested. A counter, not randomness, so a run with the same seed sends the same keys.
"""

import itertools
import re

import schemathesis

# As common.api's `_IDEMPOTENCY_KEY`: what the API accepts. Malformed keys are left alone.
_VALID_KEY = re.compile(r"[\x21-\x7e]{1,240}")
_requests = itertools.count()


@schemathesis.hook
def before_call(context, case, kwargs):
    key = (case.headers or {}).get("Idempotency-Key")
    number = next(_requests)
    if isinstance(key, str) and _VALID_KEY.fullmatch(key) and number % 4:
        case.headers["Idempotency-Key"] = f"{key}-{number}"
