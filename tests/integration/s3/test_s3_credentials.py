"""The AWS default credentials chain (connectors/s3/s3_creds.h), as the JVM sink's SDK follows
it when no aws.access.key.id is given: web identity (STS AssumeRoleWithWebIdentity), the shared
credentials file, container credentials (ECS / EKS Pod Identity) and the EC2 instance profile
(IMDSv2). Each source is a small server on loopback (named through the SDK's own environment
variables for endpoints) that hands out real temporary credentials: MinIO's own STS
(AssumeRole with its root key) issues them, and MinIO refuses a request signed with them
without their session token. Each case runs a worker with that environment and asks: were the
objects written, did the source's checks pass (the container token, the IMDS session token,
the STS form), and did the worker say where its credentials came from."""

from __future__ import annotations

import json
import re
import subprocess
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

import kc
from test_s3_minio import minio  # noqa: F401 (fixture)
from test_s3_sink import list_keys, make_bucket

S3_CLASS = "io.confluent.connect.s3.S3SinkConnector"


class Source(ThreadingHTTPServer):
    """Answers as one credentials source would; counts the credentials it handed out."""
    daemon_threads = True

    def __init__(self, env: dict, ttl: timedelta):
        super().__init__(("127.0.0.1", 0), Handler)
        self.key, self.secret = env["KC_S3_ACCESS_KEY"], env["KC_S3_SECRET_KEY"]
        self.endpoint = env["KC_S3_ENDPOINT"]
        self.ttl = ttl
        self.given = 0
        self.bad: list[str] = []  # requests that failed a check
        self.forms: list[dict] = []
        self.v1_only = False  # IMDS: refuse v2's session token, answer plain GETs
        self.down_after = None  # container: answer 500 after this many credentials
        self.refused = 0

    def creds(self) -> dict:
        """Fresh temporary credentials from MinIO's STS (AssumeRole, signed with the root key);
        the Expiration told is this source's ttl from now."""
        self.given += 1
        r = subprocess.run(
            ["curl", "-sS", "-X", "POST", "--aws-sigv4", "aws:amz:us-east-1:sts", "-u",
             f"{self.key}:{self.secret}", "-H", "Content-Type: application/x-www-form-urlencoded",
             "-d", "Action=AssumeRole&Version=2011-06-15&DurationSeconds=3600", self.endpoint + "/"],
            capture_output=True, text=True, timeout=60)
        got = dict(re.findall(r"<(AccessKeyId|SecretAccessKey|SessionToken)>([^<]+)<", r.stdout))
        assert len(got) == 3, r.stdout + r.stderr
        exp = (datetime.now(timezone.utc) + self.ttl).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"AccessKeyId": got["AccessKeyId"], "SecretAccessKey": got["SecretAccessKey"],
                "Token": got["SessionToken"], "Expiration": exp}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args) -> None:
        pass

    def reply(self, status: int, body: str, ctype: str = "application/json") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self) -> None:  # IMDSv2 session token
        srv: Source = self.server  # type: ignore[assignment]
        if srv.v1_only:
            return self.reply(403, "")
        if self.path == "/latest/api/token" and \
                self.headers.get("X-aws-ec2-metadata-token-ttl-seconds") == "21600":
            return self.reply(200, "imds-session", "text/plain")
        srv.bad.append(f"PUT {self.path}")
        self.reply(400, "")

    def do_GET(self) -> None:
        srv: Source = self.server  # type: ignore[assignment]
        if self.path == "/creds":  # container credentials
            if self.headers.get("Authorization") != "pod-identity-token":
                srv.bad.append("container Authorization")
                return self.reply(401, "")
            if srv.down_after is not None and srv.given >= srv.down_after:
                srv.refused += 1
                return self.reply(500, "")
            return self.reply(200, json.dumps(srv.creds()))
        if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("X-aws-ec2-metadata-token") != \
                    (None if srv.v1_only else "imds-session"):
                srv.bad.append("IMDS token")
                return self.reply(401, "")
            role = self.path.rsplit("/", 1)[1]
            if not role:
                return self.reply(200, "kc-instance-role\n", "text/plain")
            if role != "kc-instance-role":
                srv.bad.append(f"IMDS role {role}")
                return self.reply(404, "")
            return self.reply(200, json.dumps(dict(srv.creds(), Code="Success")))
        srv.bad.append(f"GET {self.path}")
        self.reply(404, "")

    def do_POST(self) -> None:  # STS
        srv: Source = self.server  # type: ignore[assignment]
        n = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(n).decode()).items()}
        srv.forms.append(form)
        if form.get("Action") == "AssumeRole":  # signed with the base credentials
            auth = self.headers.get("Authorization", "")
            if form.get("RoleArn") != "arn:aws:iam::123456789012:role/kc-cross" or \
                    form.get("RoleSessionName") != "kc-sink" or \
                    form.get("ExternalId") != "ext-42" or \
                    f"Credential={srv.key}/" not in auth or "/sts/aws4_request" not in auth:
                srv.bad.append(f"AssumeRole {form} {auth}")
                return self.reply(403, "<ErrorResponse><Error><Code>AccessDenied</Code>"
                                       "</Error></ErrorResponse>", "text/xml")
            return self.sts_answer("AssumeRole")
        if form.get("Action") != "AssumeRoleWithWebIdentity" or \
                form.get("RoleArn") != "arn:aws:iam::123456789012:role/kc-irsa" or \
                form.get("WebIdentityToken") != "eyJhbGciOi.jwt+token/=":
            srv.bad.append(f"STS form {form}")
            return self.reply(400, "<ErrorResponse><Error><Code>InvalidIdentityToken</Code>"
                                   "</Error></ErrorResponse>", "text/xml")
        self.sts_answer("AssumeRoleWithWebIdentity")

    def sts_answer(self, action: str) -> None:
        c = self.server.creds()  # type: ignore[attr-defined]
        self.reply(200, f"<{action}Response><{action}Result>"
                        f"<Credentials><AccessKeyId>{c['AccessKeyId']}</AccessKeyId>"
                        f"<SecretAccessKey>{c['SecretAccessKey']}</SecretAccessKey>"
                        f"<SessionToken>{c['Token']}</SessionToken>"
                        f"<Expiration>{c['Expiration']}</Expiration></Credentials>"
                        f"</{action}Result></{action}Response>", "text/xml")


def run_case(kafka, connect_c, s3: dict, unique_name, tmp_path, case: str, ttl: timedelta,
             v1_only: bool = False, down_after: int | None = None):
    src = Source(s3, ttl)
    src.v1_only = v1_only
    src.down_after = down_after
    threading.Thread(target=src.serve_forever, daemon=True).start()
    env = {k: "" for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")}
    if case == "container":
        env.update(AWS_CONTAINER_CREDENTIALS_FULL_URI=src.url + "/creds",
                   AWS_CONTAINER_AUTHORIZATION_TOKEN="pod-identity-token")
    elif case == "instance profile":
        env.update(AWS_EC2_METADATA_SERVICE_ENDPOINT=src.url)
    elif case == "web identity":
        tok = tmp_path / "token"
        tok.write_text("eyJhbGciOi.jwt+token/=\n")
        env.update(AWS_WEB_IDENTITY_TOKEN_FILE=str(tok),
                   AWS_ROLE_ARN="arn:aws:iam::123456789012:role/kc-irsa",
                   AWS_ROLE_SESSION_NAME="kc-session", AWS_ENDPOINT_URL_STS=src.url + "/")
    elif case == "profile":
        f = tmp_path / "credentials"
        c = src.creds()
        f.write_text(f"[default]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n"
                     f"[ kc ]\naws_access_key_id = {c['AccessKeyId']}\n"
                     f"aws_secret_access_key={c['SecretAccessKey']}\n"
                     f"aws_session_token = {c['Token']}\n")
        env.update(AWS_SHARED_CREDENTIALS_FILE=str(f), AWS_PROFILE="kc")
    bucket = "cred-" + unique_name("b").lower().replace("_", "-")[-36:]
    make_bucket(s3, bucket)
    topic, cname = unique_name("cred"), unique_name("s3cred")
    kafka.create_topic(topic, partitions=1)
    kafka.produce(topic, [json.dumps({"seq": i}) for i in range(30)], partition=0)
    w = connect_c(start=False)
    w.start(env=env)
    try:
        w.create_connector(cname, {
            "connector.class": S3_CLASS, "tasks.max": "1", "topics": topic,
            "s3.bucket.name": bucket, "flush.size": "10", "store.url": s3["KC_S3_ENDPOINT"],
            "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
            "value.converter": "org.apache.kafka.connect.json.JsonConverter",
            "value.converter.schemas.enable": "false"})
        kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 30,
                      timeout=kc.scaled(90), what=f"all committed with {case} credentials")
        assert list_keys(s3, bucket, f"topics/{topic}/") == [
            f"topics/{topic}/partition=0/{topic}+0+{o:010d}.json" for o in (0, 10, 20)]
        assert f"(credentials: {case})" in w.log_text()
        assert not src.bad, src.bad
        assert s3["KC_S3_SECRET_KEY"] not in w.log_text()
        return src
    finally:
        src.shutdown()


@pytest.mark.parametrize("case", ["container", "instance profile", "web identity", "profile"])
def test_default_chain_source(kafka, connect_c, minio, unique_name, tmp_path, case):
    src = run_case(kafka, connect_c, minio, unique_name, tmp_path, case, timedelta(hours=1))
    if case != "profile":
        assert src.given == 1  # an hour's credentials: fetched once, used for every request
    if case == "web identity":
        assert src.forms[0]["RoleSessionName"] == "kc-session"
        assert src.forms[0]["Version"] == "2011-06-15"


def test_credentials_fetched_again_near_expiry(kafka, connect_c, minio, unique_name, tmp_path):
    """Credentials within 5 minutes of their expiry are fetched again before a request: with
    4-minute ones every request (the bucket check, three PUTs) brings a fetch."""
    src = run_case(kafka, connect_c, minio, unique_name, tmp_path, "container",
                   timedelta(minutes=4))
    assert src.given >= 4, src.given


def test_failed_refresh_keeps_valid_credentials(kafka, connect_c, minio, unique_name, tmp_path):
    """Inside the refresh window the source goes down: the credentials, not yet expired, keep
    signing, and the fetch is tried again 30 s later rather than before every request."""
    src = run_case(kafka, connect_c, minio, unique_name, tmp_path, "container",
                   timedelta(minutes=4), down_after=1)
    assert src.given == 1 and 1 <= src.refused <= 2, (src.given, src.refused)


def test_instance_profile_falls_back_to_imdsv1(kafka, connect_c, minio, unique_name, tmp_path):
    """No IMDSv2 session token to be had (a hop limit of 1 seen from a container): the
    instance profile is read with IMDSv1's plain GETs, as the SDK falls back."""
    src = run_case(kafka, connect_c, minio, unique_name, tmp_path, "instance profile",
                   timedelta(hours=1), v1_only=True)
    assert src.given == 1


def test_web_identity_token_file_without_a_token(kafka, connect_c, minio, unique_name, tmp_path):
    """AWS_WEB_IDENTITY_TOKEN_FILE naming a directory (the service account's, not its token
    file): the task fails at its start saying so; the worker and its other tasks carry on."""
    w = connect_c(start=False)
    w.start(env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
                 "AWS_WEB_IDENTITY_TOKEN_FILE": str(tmp_path),
                 "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/kc-irsa",
                 "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9/"})
    bucket = "credbad-" + unique_name("b").lower().replace("_", "-")[-36:]
    make_bucket(minio, bucket)
    cname = unique_name("s3credbad")
    w.create_connector(cname, {
        "connector.class": S3_CLASS, "tasks.max": "1", "topics": unique_name("credbad"),
        "s3.bucket.name": bucket, "flush.size": "10", "store.url": minio["KC_S3_ENDPOINT"],
        "format.class": "io.confluent.connect.s3.format.json.JsonFormat"})

    def failed():
        t = w.status(cname).get("tasks", [])
        return t and t[0]["state"] == "FAILED" and t[0]
    t = kc.wait_until(failed, timeout=kc.scaled(90), what="task FAILED")
    assert f"AWS_WEB_IDENTITY_TOKEN_FILE {tmp_path} holds no token" in t["trace"], t["trace"]
    assert w.get("/connectors").status_code == 200  # the worker is alive


ASSUME = "io.confluent.connect.s3.auth.AwsAssumeRoleCredentialsProvider"


def assume_role_run(kafka, connect_c, minio, unique_name, sts_url: str) -> tuple:
    w = connect_c(start=False)
    w.start(env={"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
                 "AWS_ENDPOINT_URL_STS": sts_url})
    bucket = "role-" + unique_name("b").lower().replace("_", "-")[-36:]
    make_bucket(minio, bucket)
    topic, cname = unique_name("role"), unique_name("s3role")
    kafka.create_topic(topic, partitions=1)
    kafka.produce(topic, [json.dumps({"seq": i}) for i in range(20)], partition=0)
    w.create_connector(cname, {
        "connector.class": S3_CLASS, "tasks.max": "1", "topics": topic,
        "s3.bucket.name": bucket, "flush.size": "10", "store.url": minio["KC_S3_ENDPOINT"],
        "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "aws.access.key.id": minio["KC_S3_ACCESS_KEY"],
        "aws.secret.access.key": minio["KC_S3_SECRET_KEY"],
        "s3.credentials.provider.class": ASSUME,
        "s3.credentials.provider.sts.role.arn": "arn:aws:iam::123456789012:role/kc-cross",
        "s3.credentials.provider.sts.role.session.name": "kc-sink",
        "s3.credentials.provider.sts.role.external.id": "ext-42",
        "s3.credentials.provider.sts.region": "us-east-1"})
    kc.wait_until(lambda: kafka.committed_offsets(f"connect-{cname}").get((topic, 0)) == 20,
                  timeout=kc.scaled(90), what="all committed with the assumed role")
    assert list_keys(minio, bucket, f"topics/{topic}/") == [
        f"topics/{topic}/partition=0/{topic}+0+{o:010d}.json" for o in (0, 10)]
    assert "(credentials: assume role)" in w.log_text()
    assert minio["KC_S3_SECRET_KEY"] not in w.log_text()
    return w


def test_assume_role_provider_with_minio_sts(kafka, connect_c, minio, unique_name):
    """Confluent's AwsAssumeRoleCredentialsProvider: the configured keys sign an STS AssumeRole
    (MinIO's own STS checks that signature) and the temporary credentials write the objects."""
    assume_role_run(kafka, connect_c, minio, unique_name, minio["KC_S3_ENDPOINT"] + "/")


def test_assume_role_request(kafka, connect_c, minio, unique_name):
    """The AssumeRole form as the SDK sends it (RoleArn, RoleSessionName, ExternalId), signed
    for the sts service with the configured key; answered with MinIO credentials."""
    src = Source(minio, timedelta(hours=1))
    threading.Thread(target=src.serve_forever, daemon=True).start()
    try:
        assume_role_run(kafka, connect_c, minio, unique_name, src.url + "/")
        assert not src.bad, src.bad
        assert src.given == 1 and src.forms[0]["Action"] == "AssumeRole"
    finally:
        src.shutdown()


def test_assume_role_needs_its_role(connect_c, minio, unique_name):
    w = connect_c()
    r = w.post("/connectors", json={"name": unique_name("role-bad"), "config": {
        "connector.class": S3_CLASS, "topics": "t", "s3.bucket.name": "b", "flush.size": "10",
        "store.url": minio["KC_S3_ENDPOINT"],
        "format.class": "io.confluent.connect.s3.format.json.JsonFormat",
        "s3.credentials.provider.class": ASSUME,
        "s3.credentials.provider.sts.role.session.name": "kc-sink"}})
    assert r.status_code == 400, r.text
    assert "s3.credentials.provider.sts.role.arn" in r.json()["message"], r.text
