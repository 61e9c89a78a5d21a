# The PyTorch anchor of the LeNet step bench: the same net (32C5-MP2-64C5-MP2-512-10, 'valid'),
# batch 64, Adam 1e-3, cross-entropy, on one thread count, served over stdin/stdout so the Node
# bench can interleave its steps with the lowbit ones (lenet-step.bench.ts starts it; the bench
# installs nothing: `apt-get install python3-torch` gives Debian's PyTorch).
#
#   python3 torch_lenet.py --threads 1      then lines {"steps": 3} -> {"wallMs": [...], "cpuMs": [...]}
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
torch.set_num_threads(threads)
torch.manual_seed(1)


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 5)
        self.conv2 = nn.Conv2d(32, 64, 5)
        self.fc1 = nn.Linear(1024, 512)
        self.fc2 = nn.Linear(512, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))


model = LeNet()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.rand(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))


def step():
    optimizer.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    optimizer.step()
    return loss.item()


for _ in range(3):
    step()
print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    walls, cpus = [], []
    for _ in range(int(request.get("steps", 1))):
        t, c = time.perf_counter(), time.process_time()
        step()
        walls.append((time.perf_counter() - t) * 1000)
        cpus.append((time.process_time() - c) * 1000)
    print(json.dumps({"wallMs": walls, "cpuMs": cpus}), flush=True)
