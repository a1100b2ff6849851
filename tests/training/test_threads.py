"""Tests of nnlearn.training.threads: the BLAS threads chosen by the work and the load."""

import os

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from nnlearn.data.datasets import make_spiral
from nnlearn.nn.optimizers import SGD
from nnlearn.nn.two_layer_net import TwoLayerNet
from nnlearn.training import Trainer, threads
from nnlearn.training.threads import (
    ENV_VARIABLE,
    WORK_PER_THREAD,
    MachineLoad,
    ThreadPolicy,
    check_threads,
)

BIG = 4 * WORK_PER_THREAD  # a step whose products would keep 4 threads busy


def _blas_threads():
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


needs_blas = pytest.mark.skipif(not _blas_threads(), reason="no BLAS library that threadpoolctl "
                                "controls")


class FakeLoad:
    """Reports the cores other processes use, from a list."""

    def __init__(self, *others):
        self.values = list(others)

    def others(self):
        return self.values.pop(0)


@pytest.fixture
def two_cores(monkeypatch):
    """A machine of 2 cores, BLAS allowed 2 threads, the load re-measured at every pause."""
    monkeypatch.delenv(ENV_VARIABLE, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(threads, "INTERVAL", 0.0)
    with threadpool_limits(2, user_api="blas"):
        yield


class TestCheckThreads:
    @pytest.mark.parametrize("value, expected", [
        (None, None), ("auto", None), (1, 1), (3, 3), ("2", 2), (np.int64(4), 4),
    ])
    def test_values(self, value, expected):
        assert check_threads(value) == expected

    @pytest.mark.parametrize("value", [0, -1, "0", "two", "1.5", 1.0, True, "", " 2x"])
    def test_errors_name_the_argument(self, value):
        with pytest.raises(ValueError, match=r"--threads must be 'auto' or an integer >= 1, got"):
            check_threads(value, "--threads")

    def test_environment_variable(self, monkeypatch):
        monkeypatch.setenv(ENV_VARIABLE, "3")
        policy = ThreadPolicy(work=BIG)
        assert policy.fixed == 3 and policy.describe() == f"3 BLAS threads ({ENV_VARIABLE})"
        assert ThreadPolicy(1, work=BIG).fixed == 1  # the argument wins over the variable
        monkeypatch.setenv(ENV_VARIABLE, "auto")
        assert ThreadPolicy(work=BIG).fixed is None
        monkeypatch.setenv(ENV_VARIABLE, "many")
        with pytest.raises(ValueError, match=f"{ENV_VARIABLE} must be 'auto' or an integer >= 1, "
                                             "got 'many'"):
            ThreadPolicy(work=BIG)


@needs_blas
class TestPolicy:
    def test_fixed_number_is_set_inside_and_restored_after(self, two_cores):
        policy = ThreadPolicy(1, work=BIG)
        with policy.limit() as n:
            assert n == 1 and set(_blas_threads()) == {1}
        assert set(_blas_threads()) == {2}
        assert policy.describe() == "1 BLAS thread (fixed)"

    def test_small_products_get_one_thread_without_measuring(self, two_cores):
        policy = ThreadPolicy(work=WORK_PER_THREAD * 2 - 1, load=FakeLoad())  # nothing to pop
        assert policy.by_size == 1
        with policy.limit() as n:
            assert n == 1 and set(_blas_threads()) == {1}
        assert policy.describe() == "1 BLAS thread (its products are small)"

    def test_idle_cores_busy_cores_and_back(self, two_cores):
        # first pause: one thread while the load is measured; then 2 idle cores, then
        # another program takes one, then 0.3 of one, then a quarter of one (still idle)
        policy = ThreadPolicy(work=BIG, load=FakeLoad(None, 0.0, 1.0, 0.3, 0.25, None))
        chosen = []
        for _ in range(6):
            with policy.limit() as n:
                chosen.append(n)
                assert set(_blas_threads()) == {n}
        assert chosen == [1, 2, 1, 1, 2, 1]  # unknown load: one thread
        assert policy.describe() == ("up to 2 BLAS threads, one per core that other programs "
                                     "leave idle")

    def test_never_more_than_blas_was_given(self, two_cores):
        with threadpool_limits(1, user_api="blas"):  # as a joblib worker would set it
            policy = ThreadPolicy(work=BIG, load=FakeLoad(None, 0.0))
            assert [policy.choose(), policy.choose()] == [1, 1]
            assert policy.describe() == "1 BLAS thread (BLAS was limited to one)"

    def test_not_more_than_the_products_keep_busy(self, two_cores, monkeypatch):
        monkeypatch.setattr(os, "cpu_count", lambda: 64)
        with threadpool_limits(64, user_api="blas"):
            policy = ThreadPolicy(work=3 * WORK_PER_THREAD, load=FakeLoad(None, 0.0))
            assert [policy.choose(), policy.choose()] == [1, 3]

    def test_backs_off_to_one_thread_after_slow_steps_with_two(self, two_cores):
        policy = ThreadPolicy(work=BIG, load=FakeLoad(None, *[0.0] * 20))  # always idle
        now = [0.0]
        policy.clock = lambda: now[0]

        def choose_at(t):
            now[0] = t
            return policy.choose()

        assert choose_at(0.0) == 1
        policy.record(1, 50, 0.060)  # 1.2 ms a step
        assert choose_at(0.5) == 2
        policy.record(2, 50, 0.750)  # 15 ms a step: another program took the other core
        assert policy.backing_off
        assert [choose_at(0.6), choose_at(1.4)] == [1, 1]  # for BACKOFF = 1 s
        assert choose_at(1.6) == 2 and not policy.backing_off
        policy.record(2, 50, 0.070)  # 1.4 ms: within the noise (SLOWER = 1.25), no back-off
        assert not policy.backing_off  # and the next slow try backs off 1 s again
        policy.record(2, 50, 0.080)  # slow (1.6 ms): 1 s of one thread
        assert [choose_at(1.7), choose_at(2.5), choose_at(2.7)] == [1, 1, 2]
        policy.record(2, 50, 0.080)  # slow again at once: now 2 s
        assert [choose_at(2.8), choose_at(4.6), choose_at(4.8)] == [1, 1, 2]  # from 2.7

    def test_backing_off_needs_a_one_thread_pace_and_an_automatic_choice(self, two_cores):
        policy = ThreadPolicy(work=BIG, load=FakeLoad(None, 0.0))
        policy.record(2, 50, 10.0)  # nothing to compare with yet
        assert not policy.backing_off
        fixed = ThreadPolicy(2, work=BIG)
        fixed.record(1, 50, 0.01)
        fixed.record(2, 50, 10.0)
        assert not fixed.backing_off and fixed.choose() == 2
        policy.record(1, 0, 0.0)  # no steps: ignored
        assert policy._one_pace is None

    def test_load_is_measured_once_per_interval(self, two_cores, monkeypatch):
        monkeypatch.setattr(threads, "INTERVAL", 3600.0)
        policy = ThreadPolicy(work=BIG, load=FakeLoad(None))  # a second pop would fail
        assert [policy.choose() for _ in range(5)] == [1] * 5


class TestMachineLoad:
    def _stat(self, path, busy, idle):
        # user nice system idle iowait irq softirq steal guest guest_nice
        path.write_text(f"cpu  {busy - 30} 10 10 {idle} 5 3 2 5 7 0\ncpu0 1 2 3 4\n")

    def test_other_processes_from_proc_stat(self, tmp_path, monkeypatch):
        stat = tmp_path / "stat"
        clock = {"wall": 10.0, "own": 1.0}
        monkeypatch.setattr(threads.time, "perf_counter", lambda: clock["wall"])
        monkeypatch.setattr(threads.time, "process_time", lambda: clock["own"])
        self._stat(stat, busy=1000, idle=500)
        load = MachineLoad(str(stat))
        load.ticks = 100.0
        # 2 s later: the machine was busy for 300 ticks (3 s of CPU), this process for 1.2 s
        clock.update(wall=12.0, own=2.2)
        self._stat(stat, busy=1300, idle=600)
        assert load.others() == pytest.approx((3.0 - 1.2) / 2.0)
        # then 1 s in which this process used all the busy time: nobody else
        clock.update(wall=13.0, own=3.2)
        self._stat(stat, busy=1400, idle=700)
        assert load.others() == pytest.approx(0.0)

    def test_load_average_where_there_is_no_proc_stat(self, tmp_path, monkeypatch):
        clock = {"wall": 0.0, "own": 0.0}
        monkeypatch.setattr(threads.time, "perf_counter", lambda: clock["wall"])
        monkeypatch.setattr(threads.time, "process_time", lambda: clock["own"])
        monkeypatch.setattr(threads.os, "getloadavg", lambda: (1.75, 1.0, 1.0), raising=False)
        load = MachineLoad(str(tmp_path / "missing"))
        clock.update(wall=2.0, own=1.5)  # this process ran 0.75 of the time
        assert load.others() == pytest.approx(1.0)
        monkeypatch.delattr(threads.os, "getloadavg", raising=False)
        clock.update(wall=3.0, own=2.0)
        assert load.others() is None

    @pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="Linux only")
    def test_this_machine(self):
        load = MachineLoad()
        x = np.ones((200, 200))
        for _ in range(20):
            x = x @ x / 200
        others = load.others()
        assert others is not None and 0 <= others <= os.cpu_count()


@needs_blas
class TestTrainer:
    def _trainer(self, **kwargs):
        x, t = make_spiral(40, 3, rng=0)
        return Trainer(TwoLayerNet(2, 8, 3, rng=0), SGD(0.5), x, t, iters=120, batch_size=20,
                       eval_every=40, seed=0, quiet=True, **kwargs)

    def test_steps_are_counted_by_threads(self, two_cores):
        trainer = self._trainer(threads=2)
        history = trainer.run()
        assert history.metadata["blas_threads"] == {"2": 120}
        assert trainer.threads.describe() == "2 BLAS threads (fixed)"
        auto = self._trainer()  # products of 20 x 8 x 3: one thread
        assert auto.run().metadata["blas_threads"] == {"1": 120}
        assert auto.history.loss == history.loss  # a spiral's products: the same to the bit

    def test_every_block_of_steps_is_reported_to_the_policy(self, two_cores):
        trainer = self._trainer()
        reports = []
        trainer.threads.record = lambda *report: reports.append(report)
        trainer.run()
        assert sum(steps for _, steps, _ in reports) == 120
        assert {threads for threads, _, _ in reports} == {1}
        assert all(seconds > 0 for _, _, seconds in reports)

    def test_threads_during_steps_and_evaluations(self, two_cores):
        seen = []

        class Watching(SGD):
            def update(self, params, grads):
                seen.append(tuple(_blas_threads()))
                super().update(params, grads)

        trainer = self._trainer(threads=1)
        trainer.optimizer = Watching(0.5)
        evaluate = trainer.evaluate
        trainer.evaluate = lambda **kw: (seen.append(tuple(_blas_threads())), evaluate(**kw))[1]
        trainer.run()
        assert set(seen) == {(1,) * len(_blas_threads())} and len(seen) == 120 + 4
        assert set(_blas_threads()) == {2}

    def test_bad_threads(self):
        with pytest.raises(ValueError, match="threads must be 'auto' or an integer >= 1, got 0"):
            self._trainer(threads=0)
