"""Reaching Ray: the package imported on demand, a cluster joined or started, workers started.

Ray is an optional extra (``tts-export[ray]``): nothing here imports it at
module level, so the rest of the project never pays for it.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

from tts_export.engines.ray.worker import Carried, Description, Worker
from tts_export.errors import EngineUnavailable

INSTALL_HINT = "pip install 'tts-export[ray]'"
# The local cluster's shared-memory store: clips are at most a few MB each and at most
# workers × in-flight of them are out at once, so the default (30 % of RAM) is far more
# than a render needs on a machine that others share.
LOCAL_STORE_BYTES = 256 * 2**20
# A killed or crashed worker is restarted this often before it is left dead.
MAX_RESTARTS = 4
# Ray's switch for "no cluster, this machine only" (on by default on macOS and Windows):
# read when ray is imported; with it, every Ray server listens on 127.0.0.1 only. Without
# it, even a local Ray advertises the machine's routable address and listens on all of
# them (``_node_ip_address="127.0.0.1"`` is resolved away to that address).
LOCAL_ONLY = ("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


def import_ray(*, local_only: bool = False) -> ModuleType:
    """The ``ray`` package.

    Args:
        local_only: a local Ray is wanted; when ray is not yet imported, its
            servers are then made to listen on 127.0.0.1 only.

    Raises:
        EngineUnavailable: Ray is not installed.
    """
    if local_only and "ray" not in sys.modules:
        os.environ.setdefault(*LOCAL_ONLY)  # inherited by the servers and workers it starts
    try:
        return importlib.import_module("ray")
    except ImportError:
        raise EngineUnavailable(
            "ray", "the Ray executor needs the ray package", hint=INSTALL_HINT
        ) from None


def connect(ray: ModuleType, address: str | None, *, num_cpus: int) -> None:
    """Join the cluster this process is already connected to, or the one ``address`` names.

    Args:
        ray: the package, from ``import_ray``.
        address: None starts a local Ray on this machine, bound to 127.0.0.1,
            with ``num_cpus`` CPUs; "auto" joins the cluster running here;
            "ray://host:port" goes through Ray Client; "host:port" joins a
            cluster's head. When this process is already connected, that
            connection is used, whatever ``address`` says.
        num_cpus: the CPUs a new local Ray offers (its workers' share).

    Raises:
        EngineUnavailable: no cluster could be reached or started.
    """
    if not ray.is_initialized():
        _init(ray, address, num_cpus=num_cpus)
    if address is None:
        # A local Ray cannot grow: actors it has no CPUs for would wait forever.
        cpus = int(ray.cluster_resources().get("CPU", 0))
        if cpus < num_cpus:
            raise EngineUnavailable(
                "ray",
                f"the local Ray of this process has {cpus} CPUs, the workers need {num_cpus}",
                hint="ask for fewer workers or threads per worker",
            )


def _init(ray: ModuleType, address: str | None, *, num_cpus: int) -> None:
    quiet: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
    try:
        if address is None:
            ray.init(
                address="local",
                num_cpus=num_cpus,
                include_dashboard=False,
                object_store_memory=LOCAL_STORE_BYTES,
                _node_ip_address="127.0.0.1",
                **quiet,
            )
        else:
            ray.init(address=address, **quiet)
    except (ConnectionError, TimeoutError, ValueError, RuntimeError) as exc:
        where = address or "a new local instance"
        raise EngineUnavailable(
            "ray",
            f"cannot reach Ray at {where}: {exc}",
            hint="start one with `ray start --head` and pass --ray-address auto, give the "
            "head's ray://host:10001, or leave --ray-address unset for a local Ray; "
            "ray:// needs " + INSTALL_HINT,
        ) from None


def start_workers(
    ray: ModuleType, inner: str, options: Mapping[str, object], *, count: int, cpus: int
) -> tuple[Any, ...]:
    """Start ``count`` actors, each building its own ``inner`` engine (not waited for).

    Each asks for ``cpus`` CPUs, so Ray places no more of them on a node than
    it has cores; they are spread over the cluster's nodes. Ray restarts a
    dead one (up to ``MAX_RESTARTS`` times); the calls it had are sent again
    by the driver, never by Ray, so each is counted once.
    """
    remote = ray.remote(Worker).options(
        num_cpus=cpus,
        max_restarts=MAX_RESTARTS,
        max_task_retries=0,
        scheduling_strategy="SPREAD",
    )
    return tuple(remote.remote(inner, dict(options)) for _ in range(count))


def check_workers(
    descriptions: Sequence[object], *, name: str, version: str, sample_rate: int
) -> tuple[int, ...]:
    """The workers' process ids, once each has been seen to hold the driver's very engine.

    Raises:
        TtsExportError: a worker could not create the engine (its own error).
        EngineUnavailable: a worker has another version of the engine: its
            clips would be cached under the driver's key.
    """
    pids: list[int] = []
    for description in descriptions:
        if isinstance(description, Carried):
            raise description.rebuild()
        if not isinstance(description, Description) or (
            description.name,
            description.version,
            description.sample_rate,
        ) != (name, version, sample_rate):
            raise EngineUnavailable(
                name,
                f"a Ray worker runs {description!r}, the driver {version} at {sample_rate} Hz",
                hint="install the same tts-export and engine packages on every node of the "
                "cluster as on the driver",
            )
        pids.append(description.pid)
    return tuple(pids)


def not_started(name: str, error: BaseException, workers: int, cpus: int) -> EngineUnavailable:
    """The error for actors that did not start or died while starting."""
    return EngineUnavailable(
        name,
        f"the Ray workers did not start: {type(error).__name__}: {str(error)[:300]}",
        hint=f"the cluster needs {workers} × {cpus} free CPUs (lower --workers or threads), "
        "and tts-export with its engine packages installed on every node",
    )
