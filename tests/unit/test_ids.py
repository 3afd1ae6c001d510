"""Generated ids: Stripe's shape, long ids ordered by creation time (so inserts append to the id
indexes), short ones wholly random."""

from __future__ import annotations

import re
import time

from arrears.ids import _ALPHABET, EPOCH_MS, STAMP_LENGTH, IdGen, stamp


def decode(chars: str) -> int:
    n = 0
    for c in chars:
        n = n * 62 + _ALPHABET.index(c)
    return n


def test_an_object_id_is_its_prefix_and_24_base62_characters_starting_with_its_creation_time() -> None:
    before = time.time_ns() // 1_000_000
    made = IdGen().new("in")
    after = time.time_ns() // 1_000_000
    assert re.fullmatch(r"in_[0-9A-Za-z]{24}", made)
    assert before <= decode(made[3:3 + STAMP_LENGTH]) + EPOCH_MS <= after


def test_ids_made_later_sort_after_and_the_stamp_keeps_its_width() -> None:
    gen = IdGen()
    first = gen.new("evt")
    time.sleep(0.002)
    second = gen.new("evt")
    assert first[:4 + STAMP_LENGTH] < second[:4 + STAMP_LENGTH]
    assert [len(stamp(EPOCH_MS + ms)) for ms in (0, 61, 62, 62**7 - 1)] == [STAMP_LENGTH] * 4
    assert stamp(EPOCH_MS + 62) == "0000010" and stamp(EPOCH_MS + 61) < stamp(EPOCH_MS + 62)


def test_ids_of_one_millisecond_differ_and_short_ids_are_random_throughout() -> None:
    gen = IdGen()
    many = {gen.new("le") for _ in range(2000)}
    short = [gen.new("cus", 14) for _ in range(200)]
    assert len(many) == 2000
    assert all(re.fullmatch(r"cus_[0-9A-Za-z]{14}", s) for s in short)
    assert len({s[4:8] for s in short}) > 150  # no shared leading characters
    assert re.fullmatch(r"[0-9A-Z]{8}", gen.invoice_prefix())


def test_a_forked_process_does_not_repeat_its_parents_random_bytes() -> None:
    import os

    gen = IdGen()
    gen.new("in")  # the parent has drawn its buffer
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next id, to the parent
        os.write(write, gen.new("in").encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child = os.read(read, 100).decode()
    os.close(read)
    parent = gen.new("in")
    assert child[3 + STAMP_LENGTH:] != parent[3 + STAMP_LENGTH:]
