"""A zeep client built only from `<url>?wsdl`: registers a proxy and a device, then sends the
same billing read twice. Prints one JSON line with what the server answered."""
import json
import sys
from datetime import datetime, timezone

from zeep import Client
from zeep.exceptions import Fault

url = sys.argv[1]
client = Client(f"{url}?wsdl")
service = client.service

out = {}
reg = service.RegisterProxy(Key="zeep-proxy-key-1", ProxyId="zeep-proxy", Site="interop", Software="zeep")
out["registerProxy"] = {"proxyId": reg.ProxyId, "duplicate": reg.Duplicate}

devices = service.RegisterDevices(
    Key="zeep-devices-key-1",
    ProxyId="zeep-proxy",
    Device=[{"Serial": "ZEEP-SN-1", "Vendor": "Xerox", "Model": "AltaLink C8045"}],
)
out["registerDevices"] = {"accepted": devices.Accepted, "duplicates": devices.Duplicates}

read = {
    "Key": "zeep-read-key-0001",
    "Serial": "ZEEP-SN-1",
    "ReadAt": datetime(2026, 11, 25, 9, 0, 0, tzinfo=timezone.utc),
    "Cycle": "2026-11",
    "Meter": [{"Name": "Total", "Value": 123456, "Unit": "impressions"}, {"Name": "Black", "Value": 100000}],
}
acks = []
for _ in range(2):
    ack = service.SubmitBillingReads(ProxyId="zeep-proxy", Read=[read])
    acks.append({"accepted": ack.Accepted, "duplicates": ack.Duplicates})
out["submitBillingReads"] = acks

sync = service.Sync(ProxyId="zeep-proxy", ClientTime=datetime.now(timezone.utc))
out["sync"] = {"enableService": len(sync.EnableService or [])}

try:
    service.SubmitBillingReads(ProxyId="zeep-proxy", Read=[dict(read, Key="zeep-read-key-0002", Serial="UNKNOWN-SN")])
    out["fault"] = None
except Fault as fault:
    out["fault"] = {"message": fault.message, "code": fault.code}

print(json.dumps(out))
