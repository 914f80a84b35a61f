"""Independent model of the language feeds' version requirements (RustSec Cargo, RubySec
RubyGems, FriendsOfPHP Composer) as OSV events, for the *_expect.py scripts.

Requirements are parsed into intervals; the events of "everything outside these intervals" are
found by classifying the elementary pieces between the boundary versions (each boundary point and
each open stretch between two boundaries) and reading off the transitions. Affected resuming in
the open stretch right after a boundary that is itself unaffected is ('introduced_after', that
boundary): Bulwark's non-OSV exclusive start."""
import re


def key(v):
    v = v[1:] if v[:1] in ('v', 'V') else v
    return [(1, int(s)) if s.isdigit() else (0, s) for s in re.findall(r'\d+|[A-Za-z]+', v)]


def cmp(a, b):
    x, y = key(a), key(b)
    n = max(len(x), len(y))
    x += [(1, 0)] * (n - len(x))
    y += [(1, 0)] * (n - len(y))
    return (x > y) - (x < y)


def numbers(v):
    out = []
    for part in re.split(r'[-+]', v)[0].split('.'):
        if not part.isdigit() or len(part) > 9:
            break
        out.append(int(part))
    if not out:
        raise ValueError(v)
    return out


def parse(req, syntax):
    """(lower, upper) with bounds (version, inclusive) or None; raises ValueError."""
    sep = r'\s*,\s*|\s+(?=[<>=!~^\d])' if syntax == 'composer' else r'\s*,\s*'
    parts = re.split(sep, req.strip())
    lo = hi = None

    def tight_lo(b):
        nonlocal lo
        if lo is None or cmp(b[0], lo[0]) > 0 or (cmp(b[0], lo[0]) == 0 and not b[1]):
            lo = b

    def tight_hi(b):
        nonlocal hi
        if hi is None or cmp(b[0], hi[0]) < 0 or (cmp(b[0], hi[0]) == 0 and not b[1]):
            hi = b

    for part in parts:
        m = re.fullmatch(r'(~>|>=|<=|==|!=|>|<|=|\^|~)?\s*([0-9A-Za-z.\-+_]+)', part)
        if not m:
            raise ValueError(req)
        op, v = m.group(1) or ('^' if syntax == 'cargo' else '='), m.group(2)
        ok_start = v[0].isdigit() or (syntax == 'composer' and v[0] == 'v' and len(v) > 1)
        if not ok_start or not v[-1].isdigit() or len(v) > 64:
            raise ValueError(req)
        if op == '>=':
            tight_lo((v, True))
        elif op == '>':
            tight_lo((v, False))
        elif op == '<':
            tight_hi((v, False))
        elif op == '<=':
            tight_hi((v, True))
        elif op in ('=', '=='):
            tight_lo((v, True))
            tight_hi((v, True))
        elif op == '~>' and syntax == 'gem':
            n = numbers(v)
            if len(n) > 1:
                n = n[:-1]
            n[-1] += 1
            tight_lo((v, True))
            tight_hi(('.'.join(map(str, n)), False))
        elif op in ('^', '~') and syntax == 'cargo':
            n = numbers(v)
            if len(n) > 3:
                raise ValueError(req)
            if op == '~':
                i = 1 if len(n) >= 2 else 0
            else:
                i = next((k for k, x in enumerate(n) if x != 0), len(n) - 1)
            up = (n + [0, 0, 0])[:3]
            up[i] += 1
            up[i + 1:] = [0] * (2 - i)
            tight_lo((v, True))
            tight_hi(('.'.join(map(str, up)), False))
        else:
            raise ValueError(req)
    return lo, hi


def contains(iv, piece):
    """Whether interval iv holds the piece ('point', v) or ('open', a, b) (a/b None = infinite)."""
    lo, hi = iv
    if piece[0] == 'point':
        v = piece[1]
        return ((lo is None or cmp(v, lo[0]) > 0 or (cmp(v, lo[0]) == 0 and lo[1])) and
                (hi is None or cmp(v, hi[0]) < 0 or (cmp(v, hi[0]) == 0 and hi[1])))
    a, b = piece[1], piece[2]
    return ((lo is None or (a is not None and cmp(a, lo[0]) >= 0)) and
            (hi is None or (b is not None and cmp(b, hi[0]) <= 0)))


def outside(intervals):
    """Events (kind, version) of the versions outside every interval ([] when none is)."""
    bounds = []
    for lo, hi in intervals:
        for b in (lo, hi):
            if b is not None and not any(cmp(b[0], x) == 0 for x in bounds):
                bounds.append(b[0])
    import functools
    bounds.sort(key=functools.cmp_to_key(cmp))
    pieces = []
    prev = None
    for b in bounds:
        if prev is not None or cmp(b, '0') > 0:
            pieces.append(('open', prev, b))
        pieces.append(('point', b))
        prev = b
    pieces.append(('open', prev, None))
    events = []
    safe_before = True
    for piece in pieces:
        if piece[0] == 'point' and cmp(piece[1], '0') < 0:
            continue
        safe = any(contains(iv, piece) for iv in intervals)
        if safe == safe_before:
            continue
        if piece[0] == 'point':
            events.append(('fixed' if safe else 'introduced', piece[1]))
        elif safe:
            events.append(('last_affected', piece[1]))
        elif piece[1] is None:
            events.append(('introduced', '0'))
        else:
            events.append(('introduced_after', piece[1]))
        safe_before = safe
    return events


def inside(iv):
    lo, hi = iv
    if lo is not None and hi is not None:
        c = cmp(lo[0], hi[0])
        if c > 0 or (c == 0 and not (lo[1] and hi[1])):
            return None
    if lo is None:
        events = [('introduced', '0')]
    else:
        events = [('introduced' if lo[1] else 'introduced_after', lo[0])]
    if hi is not None:
        events.append(('last_affected' if hi[1] else 'fixed', hi[0]))
    return events


def show(events):
    return ' '.join(f'{k}:{v}' for k, v in events)
