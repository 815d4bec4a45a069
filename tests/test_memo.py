"""models/memo.py: values derived per object identity, bounded."""

from models.memo import IdentityMemo


class Thing:
    def __init__(self, n: int):
        self.n = n


def test_derives_once_per_object_and_keeps_equal_objects_apart():
    calls = []
    memo = IdentityMemo(lambda t: calls.append(t.n) or t.n * 10)
    a, b = Thing(1), Thing(1)
    assert (memo(a), memo(a), memo(b)) == (10, 10, 10)
    assert calls == [1, 1]  # a once, b once: identity, not equality


def test_bounded_and_never_confuses_a_new_object_with_a_forgotten_one():
    memo = IdentityMemo(lambda t: t.n, limit=3)
    kept = [Thing(i) for i in range(10)]
    assert [memo(t) for t in kept] == list(range(10))
    assert len(memo._entries) <= 3
    for _ in range(100):  # objects created and dropped: a reused id must not return a stale value
        assert memo(Thing(42)) == 42
