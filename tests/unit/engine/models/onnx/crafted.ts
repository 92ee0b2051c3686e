/**
 * Edits of a decoded fixture, encoded back: models with an unsupported operator, attribute or
 * opset, or with an extra node, made without torch.
 */
import { decodeModel, encodeModel, type AttributeProto, type ModelProto, type NodeProto } from '../../../../../src/main/engine/models/onnx/onnx-proto.ts';
import { readFixture } from './zoo.ts';

export function craft(file: string, edit: (model: ModelProto) => void): Uint8Array {
  const model = decodeModel(readFixture(file), file);
  edit(model);
  return encodeModel(model);
}

export function nodeNamed(model: ModelProto, name: string): NodeProto {
  const node = model.graph!.node.find((n) => n.name === name);
  if (!node) throw new Error(`no node ${name}`);
  return node;
}

export const intAttribute = (name: string, i: number): AttributeProto => ({ name, type: 2, i }) as unknown as AttributeProto;
export const floatAttribute = (name: string, f: number): AttributeProto => ({ name, type: 1, f }) as unknown as AttributeProto;
export const stringAttribute = (name: string, s: string): AttributeProto => ({ name, type: 3, s: new TextEncoder().encode(s) }) as unknown as AttributeProto;

/** Inserts `op` (one input, one output) right after the node that produces `after`, rewiring its readers. */
export function insertAfter(model: ModelProto, after: string, op: string, attribute: AttributeProto[] = [], extraInputs: string[] = []): void {
  const graph = model.graph!;
  const at = graph.node.findIndex((n) => n.output.includes(after));
  const renamed = `${after}_${op}`;
  for (const n of graph.node) n.input = n.input.map((i) => (i === after ? renamed : i));
  const node = { input: [after, ...extraInputs], output: [renamed], name: `/inserted/${op}`, op_type: op, domain: '', attribute } as unknown as NodeProto;
  graph.node.splice(at + 1, 0, node);
}
