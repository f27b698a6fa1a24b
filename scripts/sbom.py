#!/usr/bin/env python3
"""Writes a CycloneDX 1.5 SBOM (JSON) of the `luoshi` binary's dependency tree, offline.

Reads `cargo metadata --locked` (what the build resolves, for the host target) and Cargo.lock's
checksums; each component has its name, version, purl (pkg:cargo/…), licence expression and
SHA-256. Usage: python3 scripts/sbom.py OUT.json
"""

import json
import subprocess
import sys
import uuid
import datetime
import tomllib


def main() -> int:
    out = sys.argv[1]
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            check=True,
            capture_output=True,
        ).stdout
    )
    with open("Cargo.lock", "rb") as f:
        lock = tomllib.load(f)
    sums = {(p["name"], p["version"]): p.get("checksum") for p in lock["package"]}
    # Only what the resolved graph reaches from the workspace (no unused optional crates).
    ids = {n["id"] for n in meta["resolve"]["nodes"]}
    workspace = set(meta["workspace_members"])
    components = []
    for p in meta["packages"]:
        if p["id"] not in ids or p["id"] in workspace:
            continue
        c = {
            "type": "library",
            "bom-ref": f"pkg:cargo/{p['name']}@{p['version']}",
            "name": p["name"],
            "version": p["version"],
            "purl": f"pkg:cargo/{p['name']}@{p['version']}",
        }
        if p.get("license"):
            c["licenses"] = [{"expression": p["license"]}]
        digest = sums.get((p["name"], p["version"]))
        if digest:
            c["hashes"] = [{"alg": "SHA-256", "content": digest}]
        components.append(c)
    components.sort(key=lambda c: (c["name"], c["version"]))
    root = next(p for p in meta["packages"] if p["name"] == "luoshi")
    bom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "component": {
                "type": "application",
                "name": "luoshi",
                "version": root["version"],
                "licenses": [{"expression": root.get("license") or "MIT OR Apache-2.0"}],
            },
        },
        "components": components,
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(bom, f, ensure_ascii=False, indent=1)
    print(f"sbom: {len(components)} components written to {out}")
    return 0 if len(components) > 100 else 1


if __name__ == "__main__":
    sys.exit(main())
