/**
 * The description of a WSDL 1.1 port that `esol codegen` writes into a generated client
 * (`$model`) and {@link SoapModelClient} reads: the operations of one SOAP 1.1 binding and
 * the XML Schema types of their messages, reduced to what the wire needs — element names,
 * namespaces, order, occurrence, nillability, attributes and the built-in simple type of
 * every leaf. Plain JSON data, so a generated client is data plus thin typed methods.
 * @module
 */

/**
 * A type reference: `xsd:<name>` for an XML Schema built-in datatype (XML Schema Part 2
 * §3, e.g. `xsd:long`, `xsd:dateTime`), else a key of {@link SoapServiceModel.types}.
 */
export type SoapTypeRef = string;

/** One child element of a complex type, in schema (`xsd:sequence`) order. */
export interface SoapFieldModel {
  /** Property name in the generated types (the element's local name unless it clashes). */
  prop: string;
  /** Element namespace: the schema's target namespace when qualified, `""` when unqualified. */
  ns: string;
  /** Element local name. */
  local: string;
  /** The element's type. */
  type: SoapTypeRef;
  /** `minOccurs` (XML Schema Part 1 §3.9.2). */
  min: number;
  /** `maxOccurs`; `-1` for `unbounded`. */
  max: number;
  /** `nillable="true"`: `null` is written as `xsi:nil="true"`. */
  nillable: boolean;
  /**
   * An `xsd:any` wildcard (XML Schema Part 1 §3.10): the value is the XML text of one element
   * (with the namespaces it uses declared in it), written as is; on reading, each child element
   * no other field takes, serialized. `ns` and `local` are `""`, except for a reference to
   * the XML Schema `schema` element (a .NET DataSet's inline schema), which names it.
   */
  any?: boolean;
  /**
   * The `xsd:choice` the field belongs to (XML Schema Part 1 §3.8): fields with the same
   * `group` are alternatives — values in more than one `branch` are refused before sending.
   */
  choice?: {
    /** The `xsd:choice`, numbered per model. */
    group: number;
    /** Which of its alternatives (particles, in schema order) the field is in. */
    branch: number;
  };
}

/** One attribute of a complex type. */
export interface SoapAttributeModel {
  /** Property name in the generated types. */
  prop: string;
  /** Attribute namespace, `""` when unqualified (the default, `attributeFormDefault`). */
  ns: string;
  /** Attribute local name. */
  local: string;
  /** The attribute's simple type. */
  type: SoapTypeRef;
  /** `use="required"`. */
  required: boolean;
}

/** A complex type: elements in order, attributes, and for `simpleContent` the text's type. */
export interface SoapComplexTypeModel {
  /** Discriminator. */
  kind: "complex";
  /** Child elements, inherited (`complexContent` extension base) first, in schema order. */
  fields: SoapFieldModel[];
  /** Attributes, inherited first. */
  attributes: SoapAttributeModel[];
  /** `simpleContent`: the simple type of the element's text, held in the `$value` property. */
  text?: SoapTypeRef;
  /** The type's qualified name (a named global type), written in `xsi:type` when it stands in for a base. */
  name?: {
    /** Its target namespace. */
    ns: string;
    /** Its local name (what `$type` holds). */
    local: string;
  };
  /** `abstract="true"` (XML Schema Part 1 §3.4.2): an element of this type needs a derived type. */
  abstract?: boolean;
  /**
   * The named types derived from this one by extension, at any depth: a value with a `$type`
   * naming one of them (its local name) is written with that type's content and `xsi:type`
   * (XML Schema Part 1 §2.6.1); an answer's `xsi:type` picks the type it is read as.
   */
  derived?: SoapTypeRef[];
}

/** A simple type derived by restriction: its built-in base and, when given, its enumeration. */
export interface SoapSimpleTypeModel {
  /** Discriminator. */
  kind: "simple";
  /** The built-in datatype it restricts, `xsd:<name>`. */
  base: SoapTypeRef;
  /** `xsd:enumeration` values, when the restriction lists them. */
  enumeration?: string[];
  /**
   * An `xsd:list` (XML Schema Part 2 §2.5.1.2): the value is an array of items of type
   * `base` (then any type reference), written separated by spaces.
   */
  list?: boolean;
}

/** A type of the model. */
export type SoapTypeModel = SoapComplexTypeModel | SoapSimpleTypeModel;

/** The element a message body holds (document/literal) or its rpc wrapper (rpc/literal). */
export interface SoapBodyModel {
  /** Element namespace (for rpc/literal, the `soap:body` `namespace`). */
  ns: string;
  /** Element local name. */
  local: string;
  /** The element's type; for rpc/literal a complex type whose fields are the message parts. */
  type: SoapTypeRef;
}

/** A `wsdl:fault` of an operation whose message part is a detail element. */
export interface SoapFaultModel {
  /** The `wsdl:fault` name. */
  name: string;
  /** The detail element. */
  element: SoapBodyModel;
}

/**
 * A `soap:header` of an operation's input or output (WSDL 1.1 §3.7): a document/literal
 * message part naming a global element, written into (or read from) the SOAP `Header`
 * (SOAP 1.1 §4.2) rather than the Body.
 */
export interface SoapHeaderModel {
  /** The key of the value in `headers` / `$headers`: the message part's name (e.g. `AuthHeader`). */
  prop: string;
  /** The header element (its namespace as the schema gives it). */
  element: SoapBodyModel;
  /**
   * The request cannot go without it: the binding marks the header `wsdl:required="true"`
   * (WSDL 1.1 §2.1.3); headers are optional otherwise. Always false for output headers (read
   * when present).
   */
  required: boolean;
}

/** One operation of the binding. */
export interface SoapOperationModel {
  /** The binding's `soap:operation/@soapAction` (WSDL 1.1 §3.4), `""` when absent. */
  soapAction: string;
  /** Request body element, or null for an empty body. */
  input: SoapBodyModel | null;
  /** Response body element, or null for an empty body. */
  output: SoapBodyModel | null;
  /** Declared faults with a detail element. */
  faults: SoapFaultModel[];
  /** `soap:header` parts of the input, written into the request's SOAP `Header`; absent when none. */
  inputHeaders?: SoapHeaderModel[];
  /** `soap:header` parts of the output, read into `$headers` when the answer carries them; absent when none. */
  outputHeaders?: SoapHeaderModel[];
}

/**
 * How a request names its namespaces on the wire. Without it, prefixes are `n1`, `n2`… in
 * first-use order, declared on the Envelope. Either way the envelope means the same XML
 * (Namespaces in XML 1.0 §6): only prefixes and where they are declared change.
 */
export interface SoapWireStyle {
  /** The prefix of each namespace URI (an NCName other than `s` and `xsi`); others get `n1`, `n2`…. */
  prefixes?: Readonly<Record<string, string>>;
  /**
   * Declare the namespaces on the Body's element rather than on the Envelope: the same bytes in
   * another order, with the Body's element standing alone as a fragment.
   */
  declareOnBodyElement?: boolean;
}

/** One SOAP 1.1 port of a WSDL: what a generated client needs to speak it. */
export interface SoapServiceModel {
  /** Operations by WSDL name. */
  operations: Record<string, SoapOperationModel>;
  /** Types by key (see {@link SoapTypeRef}). */
  types: Record<string, SoapTypeModel>;
  /** How requests name their namespaces; absent: the default of {@link SoapWireStyle}. */
  wire?: SoapWireStyle;
}
