"""Guard the contracts: a released message's fields keep their numbers, names and types forever.

`baseline` writes a FileDescriptorSet of proto/ (the released contracts); `check` compares the
current files against it and lists every breaking change: a field removed without reserving its
number, a number reused by another name, a type changed, a message, enum value or method removed.
Additions pass.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2

FDP = descriptor_pb2.FieldDescriptorProto


def compile_set(protos: list[str], include: str = "proto") -> descriptor_pb2.FileDescriptorSet:
    """The descriptor set of the given .proto files, compiled by grpc_tools' protoc."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.binpb"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "grpc_tools.protoc",
                f"-I{include}",
                f"--descriptor_set_out={out}",
                *protos,
            ],
            check=True,
        )
        return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


def _messages(fds: descriptor_pb2.FileDescriptorSet) -> dict[str, descriptor_pb2.DescriptorProto]:
    found: dict[str, descriptor_pb2.DescriptorProto] = {}

    def walk(prefix: str, message: descriptor_pb2.DescriptorProto) -> None:
        name = f"{prefix}.{message.name}"
        found[name] = message
        for nested in message.nested_type:
            walk(name, nested)

    for file in fds.file:
        for message in file.message_type:
            walk(file.package, message)
    return found


def _enums(fds: descriptor_pb2.FileDescriptorSet) -> dict[str, descriptor_pb2.EnumDescriptorProto]:
    found: dict[str, descriptor_pb2.EnumDescriptorProto] = {}

    def walk(prefix: str, message: descriptor_pb2.DescriptorProto) -> None:
        name = f"{prefix}.{message.name}"
        for enum in message.enum_type:
            found[f"{name}.{enum.name}"] = enum
        for nested in message.nested_type:
            walk(name, nested)

    for file in fds.file:
        for enum in file.enum_type:
            found[f"{file.package}.{enum.name}"] = enum
        for message in file.message_type:
            walk(file.package, message)
    return found


def _services(fds: descriptor_pb2.FileDescriptorSet) -> dict[str, descriptor_pb2.ServiceDescriptorProto]:
    return {f"{file.package}.{svc.name}": svc for file in fds.file for svc in file.service}


def _field_type(field: descriptor_pb2.FieldDescriptorProto) -> str:
    base = field.type_name or FDP.Type.Name(field.type)
    return f"{'repeated ' if field.label == FDP.LABEL_REPEATED else ''}{base}"


def breaking_changes(
    old: descriptor_pb2.FileDescriptorSet, new: descriptor_pb2.FileDescriptorSet
) -> list[str]:
    """Every change from old to new that would break a released client or stored message."""
    problems: list[str] = []
    new_messages = _messages(new)
    for name, old_msg in _messages(old).items():
        new_msg = new_messages.get(name)
        if new_msg is None:
            problems.append(f"message {name} was removed")
            continue
        reserved = {n for r in new_msg.reserved_range for n in range(r.start, r.end)}
        by_number = {f.number: f for f in new_msg.field}
        by_name = {f.name: f for f in new_msg.field}
        for field in old_msg.field:
            current = by_number.get(field.number)
            moved = by_name.get(field.name)
            if moved is not None and moved.number != field.number:
                # The JSON and text formats go by name: a released name on a new number breaks them.
                problems.append(
                    f"{name}: field name {field.name} reused with number {moved.number} (was {field.number})"
                )
            if current is None:
                if field.number not in reserved:
                    problems.append(
                        f"{name}: field {field.number} ({field.name}) removed"
                        f" without `reserved {field.number};`"
                    )
            elif current.name != field.name:
                problems.append(f"{name}: field {field.number} renamed {field.name} -> {current.name}")
            elif _field_type(current) != _field_type(field):
                problems.append(
                    f"{name}.{field.name}: type changed {_field_type(field)} -> {_field_type(current)}"
                )
    new_enums = _enums(new)
    for name, old_enum in _enums(old).items():
        current_values = {v.number: v.name for v in new_enums[name].value} if name in new_enums else None
        if current_values is None:
            problems.append(f"enum {name} was removed")
            continue
        for value in old_enum.value:
            if current_values.get(value.number) != value.name:
                problems.append(f"enum {name}: value {value.number} ({value.name}) removed or renamed")
    new_services = _services(new)
    for name, old_svc in _services(old).items():
        methods = {m.name: m for m in new_services[name].method} if name in new_services else None
        if methods is None:
            problems.append(f"service {name} was removed")
            continue
        for method in old_svc.method:
            now = methods.get(method.name)
            if now is None:
                problems.append(f"{name}/{method.name} was removed")
            elif (now.input_type, now.output_type) != (method.input_type, method.output_type):
                problems.append(f"{name}/{method.name}: request or response type changed")
            elif (now.client_streaming, now.server_streaming) != (
                method.client_streaming,
                method.server_streaming,
            ):
                problems.append(f"{name}/{method.name}: streaming changed")
    return problems


def main(argv: list[str]) -> int:
    """`baseline FILE PROTOS...` or `check FILE PROTOS...`."""
    if len(argv) < 3 or argv[0] not in ("baseline", "check"):
        print("usage: python -m shared.proto_compat baseline|check proto/released.binpb proto/eco/v1/*.proto")
        return 2
    command, baseline, protos = argv[0], Path(argv[1]), argv[2:]
    current = compile_set(protos)
    if command == "baseline":
        baseline.write_bytes(current.SerializeToString(deterministic=True))
        print(f"recorded {len(current.file)} files as released in {baseline}")
        return 0
    if not baseline.exists():
        print(f"no baseline at {baseline}; run `make proto-baseline` once the contracts are released")
        return 1
    problems = breaking_changes(descriptor_pb2.FileDescriptorSet.FromString(baseline.read_bytes()), current)
    for problem in problems:
        print(f"breaking: {problem}")
    print(
        "contracts: compatible with the released baseline"
        if not problems
        else f"{len(problems)} breaking change(s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
