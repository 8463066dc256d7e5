"""lang_keys.py - the language files: every section closed, and the same keys in Chinese and English."""
import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failed = 0


def check(cond, what, detail=""):
    global failed
    print(("ok - " if cond else "not ok - ") + what + (f" ({detail})" if detail and not cond else ""))
    failed += not cond


def keys(path):
    """The keys of an HDF file as dotted names, and its nesting problems."""
    out, stack, problems = {}, [], []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        t = line.strip()
        if not t or t.startswith("#"):
            continue
        if t.endswith("{"):
            stack.append(t[:-1].strip())
        elif t == "}":
            if stack:
                stack.pop()
            else:
                problems.append(f"line {n}: }} without {{")
        elif "=" in t:
            k = ".".join(stack + [t.split("=", 1)[0].strip()])
            if k in out:
                problems.append(f"line {n}: {k} again (line {out[k]})")
            out[k] = n
        else:
            problems.append(f"line {n}: neither key nor section: {t[:40]}")
    if stack:
        problems.append("unclosed: " + ".".join(stack))
    return out, problems


LANG = os.path.join(TOP, "templates", "lang")
progs = sorted({f.split(".")[0] for f in os.listdir(LANG) if f.endswith(".hdf")})
check("staff" in progs, "the staff console has its language files", progs)
for prog in progs:
    zh, pz = keys(os.path.join(LANG, prog + ".zh-CN.hdf"))
    en, pe = keys(os.path.join(LANG, prog + ".en.hdf"))
    check(not pz, f"{prog}.zh-CN.hdf: every section closed, no key twice", "; ".join(pz[:5]))
    check(not pe, f"{prog}.en.hdf: every section closed, no key twice", "; ".join(pe[:5]))
    check(set(zh) == set(en), f"{prog}: the Chinese and English files have the same keys",
          f"only zh: {sorted(set(zh) - set(en))[:8]}, only en: {sorted(set(en) - set(zh))[:8]}")
sys.exit(1 if failed else 0)
