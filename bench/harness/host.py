"""What every benchmark needs of its host: logging, the machine's facts, peer venvs."""

import os
import subprocess
import sys
import time
from pathlib import Path


def log(message: str) -> None:
    """A timestamped line on standard error (standard output is for the JSON result)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> dict[str, object]:
    """CPU, cores, memory, Python and load: what a reader needs to weigh the figures."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kb / 2**20, 1),
        "python": sys.version.split()[0],
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def peer_venv(venv: Path, requirements: list[str]) -> Path:
    """A throwaway venv holding a peer, made on first use; returns its python.

    The requirements are written into the venv, so a change of them makes it anew. Peers
    live here, never in Kontakt's own dependencies.
    """
    python = venv / "bin" / "python"
    marker = venv / "requirements.txt"
    wanted = "\n".join(requirements)
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    log(f"installing {', '.join(requirements)} into {venv} (first run only)")
    venv.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *requirements], check=True)
    marker.write_text(wanted)
    return python


# The staffing benchmarks share one throwaway venv of peers; one list keeps it from being
# rebuilt back and forth.
STAFFING_PEERS_VENV = Path(__file__).resolve().parent.parent / ".peers" / "staffing-venv"
STAFFING_PEER_REQUIREMENTS = ["pyworkforce==0.5.4", "ciw==3.2.7", "simpy==4.1.2"]


def staffing_peer_python() -> Path:
    """The Python of the staffing peers' venv (pyworkforce, Ciw, SimPy), made on first use."""
    return peer_venv(STAFFING_PEERS_VENV, STAFFING_PEER_REQUIREMENTS)
