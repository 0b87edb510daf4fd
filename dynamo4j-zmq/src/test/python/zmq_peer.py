"""A libzmq peer (pyzmq) for dynamo4j's interop tests. Run with /usr/bin/python3.

  zmq_peer.py sub <endpoint> <topic>
      SUB-connects, prints one JSON line describing the first 4-part message it receives.
  zmq_peer.py pub <topic> <pid> <text>
      PUB-binds on 127.0.0.1, prints "bound <endpoint>", waits for "go" on stdin, then sends
      correctly framed events (sequence 0, 1, ...; payload = msgpack string <text>) every 50 ms
      until stdin closes. The envelope is built here by hand, independently of dynamo4j's encoder
      (integers always as uint64, which decoders must accept).
  zmq_peer.py dealer <endpoint> <request_id> <payload text>
      DEALER-connects to a dynamo4j ZMQ request plane ROUTER, sends the prototype's two frames
      [request_id][payload], prints one JSON line with the answer's frames.
"""
import json
import struct
import sys

import zmq


def sub(endpoint, topic):
    ctx = zmq.Context()
    s = ctx.socket(zmq.SUB)
    s.setsockopt(zmq.SUBSCRIBE, topic.encode())
    s.setsockopt(zmq.RCVTIMEO, 20000)
    s.connect(endpoint)
    print("connected", flush=True)
    parts = s.recv_multipart()
    frame = parts[3] if len(parts) > 3 else b""
    out = {
        "parts": len(parts),
        "topic": parts[0].decode(),
        "pid_len": len(parts[1]),
        "seq_len": len(parts[2]),
        "pid": struct.unpack(">Q", parts[1])[0] if len(parts[1]) == 8 else None,
        "seq": struct.unpack(">Q", parts[2])[0] if len(parts[2]) == 8 else None,
        "frame_version": frame[0] if frame else None,
        "frame_len": struct.unpack(">I", frame[1:5])[0] if len(frame) >= 5 else None,
        "frame_total": len(frame),
    }
    print(json.dumps(out), flush=True)


def dealer(endpoint, request_id, payload):
    ctx = zmq.Context()
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.RCVTIMEO, 20000)
    s.setsockopt(zmq.LINGER, 0)
    s.connect(endpoint)
    s.send_multipart([request_id.encode(), payload.encode()])
    parts = s.recv_multipart()
    print(json.dumps({"parts": len(parts), "request_id": parts[0].decode(), "ack": parts[1].decode() if len(parts) > 1 else None}), flush=True)


def fixstr(text):
    b = text.encode()
    assert len(b) < 32
    return bytes([0xA0 | len(b)]) + b


def envelope(pid, seq, topic, payload):
    u64 = lambda v: b"\xcf" + struct.pack(">Q", v)
    return (b"\x85"
            + fixstr("publisher_id") + u64(pid)
            + fixstr("sequence") + u64(seq)
            + fixstr("published_at") + u64(1700000000000)
            + fixstr("topic") + fixstr(topic)
            + fixstr("payload") + b"\xc4" + bytes([len(payload)]) + payload)


def pub(topic, pid, text):
    import select
    ctx = zmq.Context()
    s = ctx.socket(zmq.PUB)
    s.bind("tcp://127.0.0.1:*")
    print("bound " + s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)
    sys.stdin.readline()  # "go"
    payload = fixstr(text)  # msgpack of the string
    seq = 0
    while True:
        env = envelope(pid, seq, topic, payload)
        frame = b"\x01" + struct.pack(">I", len(env)) + env
        s.send_multipart([topic.encode(), struct.pack(">Q", pid), struct.pack(">Q", seq), frame])
        seq += 1
        r, _, _ = select.select([sys.stdin], [], [], 0.05)
        if r and not sys.stdin.readline():
            return


if __name__ == "__main__":
    if sys.argv[1] == "sub":
        sub(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "dealer":
        dealer(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        pub(sys.argv[2], int(sys.argv[3]), sys.argv[4])
