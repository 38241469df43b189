"""`rspp keygen`: make an offline signing key pair."""

from __future__ import annotations

from pathlib import Path

import typer

from rspp.cli import common


def command(
    # str, not Path: the writer judges the path
    private: str = typer.Option(".rspp/keys/rspp.key", "--out", "-o",
                                help="The private key file (PEM PKCS#8 Ed25519, mode 0600); "
                                     "the public key goes beside it with .pub."),
    policy: str = typer.Option(None, "--policy", help="Also write a trust policy file "
                                                      "that trusts this key."),
    keep_existing: bool = typer.Option(False, "--keep-existing",
                                       help="When the key files (and the policy) exist "
                                            "already and belong together, keep them and "
                                            "exit 0 instead of refusing."),
    root: Path = common.ROOT,
) -> None:
    """Make an Ed25519 key pair for `rspp bundle publish --sign key`; never overwrites a
    file. Prints the key id the trust policy lists. Exit 0 made, 2 refused."""
    from rspp.commands.verify import keygen

    made = keygen(common.base(root), Path(private), Path(policy) if policy else None,
                  keep_existing=keep_existing)
    if made.kept:
        common.line(f"kept the existing key pair {made.private} (key id {made.keyid})")
        return
    common.line(f"private key: {made.private} (keep it secret; mode 0600)")
    common.line(f"public key:  {made.public}")
    common.line(f"key id:      {made.keyid}")
    if policy:
        common.line(f"policy:      {policy}")
