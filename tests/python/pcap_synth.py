"""Probe traffic as a client's capture holds it, written byte by byte (no
library): one TCP SYN per probe from its own source port and ISN, the
site's SYN-ACK when it answers. For the typed-analysis tests."""
import struct


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _frame(src_mac, dst_mac, src_ip, dst_ip, sport, dport, seq, ack, flags):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    pseudo = struct.pack("!4s4sBBH", src_ip, dst_ip, 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", _checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src_ip, dst_ip)
    ip = ip[:10] + struct.pack("!H", _checksum(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + tcp


def write_probe_capture(path, seconds=1.0, rate_hz=1000, gap=(0.4, 0.45), rtt_s=0.0001):
    """SYNs at rate_hz from 198.18.0.1 to 198.18.0.10:443 for `seconds`;
    those sent inside `gap` (start, end in seconds) get no answer."""
    client, site = bytes([198, 18, 0, 1]), bytes([198, 18, 0, 10])
    cmac, smac = bytes.fromhex("020000000001"), bytes.fromhex("0200000000aa")
    t0 = 1_800_000_000.0
    records = []
    for i in range(int(seconds * rate_hz)):
        t = i / rate_hz
        sport, isn = 20000 + i % 40000, (i * 2654435761) & 0xFFFFFFFF
        records.append((t0 + t, _frame(cmac, smac, client, site, sport, 443, isn, 0, 0x02)))
        if not gap[0] <= t < gap[1]:
            records.append((t0 + t + rtt_s,
                            _frame(smac, cmac, site, client, 443, sport, 7, isn + 1, 0x12)))
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))  # nanosecond pcap
        for ts, frame in records:
            sec = int(ts)
            f.write(struct.pack("<IIII", sec, round((ts - sec) * 1e9), len(frame), len(frame)))
            f.write(frame)
