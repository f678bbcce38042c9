/**
 * The WSDL the stand-in serves at `?wsdl`: document/literal, two string-in string-out operations, as
 * an Axis 1.4 registry service publishes them. Invented: the real one is not public.
 */
import { SERVICE_NS } from './soap.ts';

/** The WSDL document for a service reachable at `location`. */
export function wsdl(location: string): string {
  const op = (name: string): string => `
  <wsdl:operation name="${name}">
   <wsdlsoap:operation soapAction="${SERVICE_NS}/${name}"/>
   <wsdl:input name="${name}Request"><wsdlsoap:body use="literal"/></wsdl:input>
   <wsdl:output name="${name}Response"><wsdlsoap:body use="literal"/></wsdl:output>
  </wsdl:operation>`;
  const element = (name: string): string => `
   <element name="${name}"><complexType><sequence>
    <element name="senderId" type="xsd:string"/><element name="serviceId" type="xsd:string"/>
    <element name="xmlPara" type="xsd:string"/>
   </sequence></complexType></element>
   <element name="${name}Response"><complexType><sequence>
    <element name="${name}Return" type="xsd:string"/>
   </sequence></complexType></element>`;
  const messages = ['query', 'modify']
    .map((n) => `
 <wsdl:message name="${n}Request"><wsdl:part element="impl:${n}" name="parameters"/></wsdl:message>
 <wsdl:message name="${n}Response"><wsdl:part element="impl:${n}Response" name="parameters"/></wsdl:message>`)
    .join('');
  const portOps = ['query', 'modify']
    .map((n) => `
  <wsdl:operation name="${n}"><wsdl:input message="impl:${n}Request" name="${n}Request"/><wsdl:output message="impl:${n}Response" name="${n}Response"/></wsdl:operation>`)
    .join('');
  return `<?xml version="1.0" encoding="GBK"?>
<wsdl:definitions targetNamespace="${SERVICE_NS}" xmlns:impl="${SERVICE_NS}"
 xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:wsdlsoap="http://schemas.xmlsoap.org/wsdl/soap/"
 xmlns:xsd="http://www.w3.org/2001/XMLSchema">
 <wsdl:documentation>人口信息查询服务（公安人口库）：query 按公民身份号码批量查询，每次最多50条；modify 修改联系电话。</wsdl:documentation>
 <wsdl:types>
  <schema elementFormDefault="qualified" targetNamespace="${SERVICE_NS}" xmlns="http://www.w3.org/2001/XMLSchema">${element('query')}${element('modify')}
  </schema>
 </wsdl:types>${messages}
 <wsdl:portType name="RkxxService">${portOps}
 </wsdl:portType>
 <wsdl:binding name="RkxxServiceSoapBinding" type="impl:RkxxService">
  <wsdlsoap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>${op('query')}${op('modify')}
 </wsdl:binding>
 <wsdl:service name="RkxxServiceService">
  <wsdl:port binding="impl:RkxxServiceSoapBinding" name="RkxxService"><wsdlsoap:address location="${location}"/></wsdl:port>
 </wsdl:service>
</wsdl:definitions>
`;
}
