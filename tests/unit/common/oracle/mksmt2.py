import sys
def cstr(b):
    out = []
    for x in b:
        c = chr(x)
        if c == '"' or c == '\\': out.append('\\' + c)
        elif 0x20 <= x < 0x7f and c != '?': out.append(c)
        else: out.append('\\%03o' % x)
    return '"' + ''.join(out) + '"'
cases = [l.rstrip('\n').split('\t') for l in open('smt2.txt')]
exp = [l.rstrip('\n').split('\t') for l in open('smt2_expected.txt')]
with open(sys.argv[1], 'w') as f:
    f.write('/* Generated from the JVM (Kafka 4.1.0 connect-transforms, Debezium 3.6.1 debezium-connect-plugins,\n'
            ' * JDK 17, UTC; oracle/Smt2.java, cases from oracle/smt2_cases.py): {class, config "k=v;k=v", mode,\n'
            ' * input JSON (NULL = tombstone), kind, topic or exception class, key, value, headers}. */\n')
    for (cls, cfg, mode, inp), e in zip(cases, exp):
        i = cstr(bytes.fromhex(inp)) if inp else 'NULL'
        if e[0] == 'OK':
            f.write('{"%s", %s, "%s", %s, SMTV_OK, %s, %s, %s, %s},\n' % (cls, cstr(cfg.encode()), mode, i, *(cstr(bytes.fromhex(x)) for x in e[1:5])))
        elif e[0] == 'DROP':
            f.write('{"%s", %s, "%s", %s, SMTV_DROP, NULL, NULL, NULL, NULL},\n' % (cls, cstr(cfg.encode()), mode, i))
        else:
            f.write('{"%s", %s, "%s", %s, SMTV_ERR, "%s", NULL, %s, NULL},\n' % (cls, cstr(cfg.encode()), mode, i, e[1], cstr(bytes.fromhex(e[2]))))
