"""Times whole commands side by side in one run: each command is started
N times in turn (interleaved, so that machine noise hits both alike) and
the median wall time and the median CPU time (user + system, from the
child's rusage: what `perf stat` calls task-clock) of each are printed with
the ratio to the first.

usage: bench_commands.py [--json FILE] RUNS NAME=CMD...
  (CMD is a shell-free argv in JSON; --json also writes the medians there,
  in seconds, for scripts/bench.sh's summary)
"""
import json
import os
import statistics
import subprocess
import sys
import time


def run_once(argv, env):
    # posix_spawn with the output on /dev/null: the least a harness can add
    # to each run (the /bin/true line below shows how much that is).
    actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
               (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)]
    start = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err = subprocess.run(argv, env=env, capture_output=True).stderr.decode()
        sys.exit(f"bench: {argv[0]} failed: {err[-500:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_minflt


def main():
    args = sys.argv[1:]
    json_path = None
    if args[0] == "--json":
        json_path, args = args[1], args[2:]
    runs = int(args[0])
    cases = []
    for spec in args[1:]:
        name, argv = spec.split("=", 1)
        cases.append((name, json.loads(argv)))
    env = dict(os.environ)
    for _, argv in cases:  # warm caches, page cache and the cache files
        run_once(argv, env)
    samples = {name: [] for name, _ in cases}
    for _ in range(runs):
        for name, argv in cases:
            samples[name].append(run_once(argv, env))
    # What starting any program costs this harness: the floor under every
    # median above it.
    floor = [run_once(["/bin/true"], env) for _ in range(runs)]
    samples["(starting /bin/true, the floor)"] = floor

    def medians(s):
        return {"wall": statistics.median(x[0] for x in s),
                "cpu": statistics.median(x[1] for x in s),
                "faults": statistics.median(x[2] for x in s)}

    result = {name: medians(s) for name, s in samples.items()}
    first = cases[0][0]
    for name, m in result.items():
        line = (f"  {name:<44} median {m['wall'] * 1e3:8.2f} ms wall, {m['cpu'] * 1e3:8.2f} ms CPU,"
                f" {m['faults']:6.0f} page faults ({runs} runs)")
        if name not in (first, "(starting /bin/true, the floor)"):
            ratio = m["cpu"] / result[first]["cpu"]
            line += (f"  -> rolectl is {ratio:.0f}x faster (CPU)" if ratio >= 2
                     else f"  -> the first takes {1 / ratio:.2f}x its CPU")
        print(line)
    if json_path:
        with open(json_path, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
