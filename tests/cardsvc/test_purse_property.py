"""Property: after any sequence of loads and purchases, balance = start + loads - purchases,
and the card's EF18 log holds exactly the last ten of them, newest first."""

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardsvc.errors import BalanceLimitExceeded, InsufficientBalance
from tests.cardsvc.rig import Rig

ops = st.lists(st.tuples(st.sampled_from(["load", "pay"]),
                         st.integers(min_value=1, max_value=40_000)), min_size=1, max_size=14)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_balance_and_log_follow_the_operations(sequence: list[tuple[str, int]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rig = Rig(Path(tmp))
        balance, done = 10000, []
        for op, amount in sequence:
            rig.tick()
            try:
                if op == "load":
                    rig.terminal.load(amount, "123456")
                    balance += amount
                else:
                    rig.terminal.purchase(amount)
                    balance -= amount
                done.append((0x02 if op == "load" else 0x06, amount))
            except InsufficientBalance:
                assert op == "pay" and amount > balance
            except BalanceLimitExceeded:
                assert op == "load" and balance + amount > 100_000
        assert rig.terminal.balance()[1] == balance
        log = rig.terminal.history().purse
        assert [(r.tx_type, r.amount_fen) for r in log] == list(reversed(done))[:10]
        completed = [e for e in rig.journal.entries() if e.status == "completed"]
        assert len(completed) == len(done)
        rig.close()
