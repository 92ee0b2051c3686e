/**
 * Typed reading of a node's attributes. Each op lists the attributes it understands; a node that
 * carries any other one is refused (an attribute we silently ignored could change the result).
 * Reading an attribute of the wrong type is refused too.
 */
import { AttributeType, readTensor, toNumber, type AttributeProto, type NodeProto, type TensorData } from '../onnx-proto.ts';

const TYPE_WORDS: Record<number, string> = { 1: 'a float', 2: 'an int', 3: 'a string', 4: 'a tensor', 6: 'floats', 7: 'ints', 8: 'strings' };

export class Attributes {
  private readonly byName = new Map<string, AttributeProto>();

  constructor(
    node: NodeProto,
    known: readonly string[],
    private readonly fail: (detail: string) => never,
  ) {
    for (const a of node.attribute) {
      if (a.ref_attr_name) fail(`attribute "${a.name}" refers to a function attribute, which is not supported`);
      if (!known.includes(a.name)) fail(`attribute "${a.name}" is not supported (supported: ${known.join(', ') || 'none'})`);
      this.byName.set(a.name, a);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private get(name: string, type: number): AttributeProto | undefined {
    const a = this.byName.get(name);
    if (a && a.type !== type) this.fail(`attribute "${name}" should be ${TYPE_WORDS[type]}, is ${TYPE_WORDS[a.type] ?? `type ${a.type}`}`);
    return a;
  }

  int(name: string, fallback: number): number {
    const a = this.get(name, AttributeType.INT);
    return a ? toNumber(a.i) : fallback;
  }

  float(name: string, fallback: number): number {
    const a = this.get(name, AttributeType.FLOAT);
    return a ? a.f : fallback;
  }

  string(name: string, fallback: string): string {
    const a = this.get(name, AttributeType.STRING);
    return a ? new TextDecoder().decode(a.s) : fallback;
  }

  ints(name: string): number[] | undefined {
    const a = this.get(name, AttributeType.INTS);
    return a ? a.ints.map(toNumber) : undefined;
  }

  floats(name: string): number[] | undefined {
    const a = this.get(name, AttributeType.FLOATS);
    return a ? [...a.floats] : undefined;
  }

  tensor(name: string, where: string): TensorData | undefined {
    const a = this.get(name, AttributeType.TENSOR);
    if (!a) return undefined;
    try {
      return readTensor(a.t!, where);
    } catch (err) {
      return this.fail(`attribute "${name}": ${(err as Error).message}`);
    }
  }
}
