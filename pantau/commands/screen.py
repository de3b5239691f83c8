"""pantau screen: recompute the screening flags of every stored post.

Run it after editing the word lists in data/lexicons/: new posts are screened as they are
saved, but posts already stored keep the flags of the lexicons of their day until this runs.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from pantau.commands.common import config_from, fail, open_store
from pantau.screening import LexiconError, load_lexicons, post_text, screen

NAME = "screen"
HELP = "recompute screening flags of every stored post (after editing data/lexicons/)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lexicons", metavar="DIR",
                        help="lexicon folder (default: data/lexicons of the project)")
    parser.add_argument("--dry-run", action="store_true", help="count what would change, write nothing")


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    try:
        lex = load_lexicons(args.lexicons) if args.lexicons else load_lexicons()
    except (LexiconError, OSError) as exc:
        return fail(str(exc))
    store = open_store(config)
    try:
        total = changed = 0
        raised: Counter[str] = Counter()
        by_model: Counter[str] = Counter()  # raised where the rules' score alone stays below the threshold
        for batch in store.iter_post_texts():
            updates = []
            for source_id, external_id, title, excerpt, old_flags, old_terms in batch:
                result = screen(post_text(title, excerpt), lex)
                total += 1
                raised.update(result.flags)
                by_model.update(flag for flag in result.flags
                                if result.scores.get(flag, 0.0) < lex.rules(flag).threshold)
                terms_json = json.dumps(result.stored, ensure_ascii=False)
                if result.flags_str != (old_flags or "") or terms_json != (old_terms or "{}"):
                    changed += 1
                    updates.append((source_id, external_id, result.flags_str, result.stored))
            if updates and not args.dry_run:
                store.set_flags(updates)
    finally:
        store.dispose()
    verb = "would change" if args.dry_run else "changed"
    print(f"screened {total} posts, {verb} {changed}")
    for rules in lex.flags:
        model_part = f", {by_model[rules.flag]} of them by the model" if by_model[rules.flag] else ""
        print(f"{rules.flag}: {raised[rules.flag]} ({rules.label}{model_part})")
    return 0
