# tests/integration/parquet/parquet_helpers.py: helpers shared by the Parquet golden tests
# (a uniquely named module, so it cannot clash with other rooms' conftest.py on sys.path).
import pathlib
import subprocess

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def run_cli(cli, args, stdin=None, timeout=300):
    """Run connect-parquet; return (returncode, stdout, stderr) as text."""
    p = subprocess.run([cli] + [str(a) for a in args], input=stdin, capture_output=True,
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def _uvarint(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if not x & 0x80:
            return r, i


def _zigzag(n):
    return (n >> 1) ^ -(n & 1)


def _thrift_struct(b, i):
    """One Thrift compact-protocol struct at b[i:]: ({field id: value}, end). Enough of the
    protocol for a PageHeader (ints, binaries, nested structs, lists of those)."""
    out, last = {}, 0
    while True:
        h = b[i]
        i += 1
        if h == 0:
            return out, i
        t, d = h & 0x0F, h >> 4
        if d:
            fid = last + d
        else:
            v, i = _uvarint(b, i)
            fid = _zigzag(v)
        last = fid
        if t in (1, 2):
            out[fid] = t == 1
        elif t == 3:
            out[fid] = b[i]
            i += 1
        elif t in (4, 5, 6):
            v, i = _uvarint(b, i)
            out[fid] = _zigzag(v)
        elif t == 7:
            i += 8
        elif t == 8:
            n, i = _uvarint(b, i)
            out[fid] = b[i:i + n]
            i += n
        elif t == 12:
            out[fid], i = _thrift_struct(b, i)
        else:
            raise ValueError(f"thrift type {t} not read here")


def page_headers(path):
    """The page headers of every column chunk of a Parquet file, read here rather than by the
    writer's code: {(row group, column): [PageHeader as {field id: value}, ...]}. Field 8 of a
    header is its DataPageHeaderV2 (1 num_values, 2 num_nulls, 3 num_rows)."""
    import pyarrow.parquet as pq
    data = pathlib.Path(path).read_bytes()
    md = pq.ParquetFile(path).metadata
    out = {}
    for rg in range(md.num_row_groups):
        for c in range(md.num_columns):
            cc = md.row_group(rg).column(c)
            i = cc.dictionary_page_offset if cc.has_dictionary_page else cc.data_page_offset
            end = i + cc.total_compressed_size
            pages = []
            while i < end:
                ph, i = _thrift_struct(data, i)
                pages.append(ph)
                i += ph[3]  # compressed_page_size
            out[(rg, c)] = pages
    return out
