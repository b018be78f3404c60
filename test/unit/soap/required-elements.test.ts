/**
 * A decoded answer holds what its generated type promises: a required element (minOccurs ≥ 1)
 * the answer lacks is refused as `BAD_RESPONSE` naming its path; nillable, optional and
 * xsd:choice elements may be absent.
 */
import { describe, expect, it } from "vitest";
import { DeclaredFaultError, SoapFaultError, TransportError } from "../../../src/errors.js";
import { decodeResponse } from "../../../src/soap/service-client.js";
import type { SoapFieldModel, SoapServiceModel } from "../../../src/soap/service-model.js";

const NS = "urn:test:required";
const field = (
  local: string,
  type: string,
  min: number,
  max: number,
  extra: Partial<SoapFieldModel> = {},
) => ({
  prop: local,
  ns: "",
  local,
  type,
  min,
  max,
  nillable: false,
  ...extra,
});

const model: SoapServiceModel = {
  operations: {
    Get: {
      soapAction: "",
      input: null,
      output: { ns: NS, local: "GetResponse", type: "answer" },
      faults: [],
    },
  },
  types: {
    answer: {
      kind: "complex",
      attributes: [],
      fields: [
        field("id", "xsd:string", 1, 1),
        field("note", "xsd:string", 1, 1, { nillable: true }),
        field("extra", "xsd:string", 0, 1),
        field("item", "item", 1, -1),
        field("left", "xsd:string", 1, 1, { choice: { group: 1, branch: 0 } }),
        field("right", "xsd:string", 1, 1, { choice: { group: 1, branch: 1 } }),
      ],
    },
    item: { kind: "complex", attributes: [], fields: [field("price", "xsd:int", 1, 1)] },
  },
};

const envelope = (inner: string) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><t:GetResponse xmlns:t="${NS}">${inner}</t:GetResponse></s:Body></s:Envelope>`;

const refusal = (inner: string) => {
  try {
    decodeResponse(model, "Get", envelope(inner), 200);
  } catch (err) {
    return err;
  }
  return undefined;
};

describe("decodeResponse: required elements", () => {
  it("accepts an answer without the nillable, optional and xsd:choice elements", () => {
    const parsed = decodeResponse(
      model,
      "Get",
      envelope("<id>1</id><item><price>3</price></item><right>r</right>"),
      200,
    );
    expect(parsed).toEqual({ kind: "response", body: { id: "1", item: [{ price: 3 }], right: "r" } });
  });

  it.each([
    ["a required element", "<note>n</note><item><price>3</price></item>", "GetResponse.id"],
    ["a required repeated element", "<id>1</id>", "GetResponse.item (0 of at least 1)"],
    [
      "a required element of an array item",
      "<id>1</id><item><price>3</price></item><item/>",
      "GetResponse.item[1].price",
    ],
  ])("refuses an answer lacking %s, naming its path", (_what, inner, path) => {
    const err = refusal(inner);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: "BAD_RESPONSE", retryable: false });
    expect((err as Error).message).toBe(`the answer lacks ${path}, which the schema requires (minOccurs 1)`);
  });
});

describe("decodeResponse: a declared fault whose detail lacks a required element", () => {
  const faulty: SoapServiceModel = {
    operations: {
      Get: {
        ...(model.operations.Get as SoapServiceModel["operations"][string]),
        faults: [{ name: "NotFound", element: { ns: NS, local: "NotFound", type: "notFound" } }],
      },
    },
    types: {
      ...model.types,
      notFound: { kind: "complex", attributes: [], fields: [field("serial", "xsd:string", 1, 1)] },
    },
  };
  const fault = (detail: string) =>
    `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>no such device</faultstring><detail><t:NotFound xmlns:t="${NS}">${detail}</t:NotFound></detail></s:Fault></s:Body></s:Envelope>`;

  it("is typed when the detail matches its declaration", () => {
    const parsed = decodeResponse(faulty, "Get", fault("<serial>X1</serial>"), 500);
    expect(parsed.kind).toBe("fault");
    const err = (parsed as { fault: unknown }).fault;
    expect(err).toBeInstanceOf(DeclaredFaultError);
    expect(err).toMatchObject({ faultName: "NotFound", detail: { serial: "X1" } });
  });

  it("is still the server's fault, with its faultstring, when it does not (never a BAD_RESPONSE)", () => {
    const parsed = decodeResponse(faulty, "Get", fault(""), 500);
    const err = (parsed as { fault: unknown }).fault;
    expect(err).toBeInstanceOf(SoapFaultError);
    expect(err).not.toBeInstanceOf(DeclaredFaultError);
    expect((err as Error).message).toContain("no such device");
  });
});
