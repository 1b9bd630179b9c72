def cstr(b):
    out = []
    for x in b:
        c = chr(x)
        if c == '"' or c == '\\': out.append('\\' + c)
        elif 0x20 <= x < 0x7f and c != '?': out.append(c)
        else: out.append('\\%03o' % x)
    return '"' + ''.join(out) + '"'
cases = [l.rstrip('\n').split('\t') for l in open('/tmp/oracle/smt.txt')]
exp = [l.rstrip('\n').split('\t') for l in open('/tmp/oracle/smt_expected.txt')]
with open('/work/wt/convert/tests/unit/common/smt_vectors.inc', 'w') as f:
    f.write('/* Generated from the JVM (Kafka 4.1.0 connect-transforms, JDK 25, UTC; oracle/Smt.java):\n * {class, config "k=v;k=v", mode, input JSON, result kind, topic or exception class, text}. */\n')
    for (cls, cfg, mode, inp), e in zip(cases, exp):
        if e[0] == 'OK':
            f.write('{"%s", %s, "%s", %s, SMTV_OK, %s, %s},\n' % (cls, cstr(cfg.encode()), mode, cstr(bytes.fromhex(inp)), cstr(bytes.fromhex(e[1])), cstr(bytes.fromhex(e[2]))))
        elif e[0] == 'DROP':
            f.write('{"%s", %s, "%s", %s, SMTV_DROP, NULL, NULL},\n' % (cls, cstr(cfg.encode()), mode, cstr(bytes.fromhex(inp))))
        else:
            f.write('{"%s", %s, "%s", %s, SMTV_ERR, "%s", %s},\n' % (cls, cstr(cfg.encode()), mode, cstr(bytes.fromhex(inp)), e[1], cstr(bytes.fromhex(e[2]))))
