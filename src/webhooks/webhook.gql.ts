/** GraphQL inputs and results of webhook endpoints and deliveries. */
import { IsOptional, IsUUID, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DeliveryState, WebhookEndpoint } from './webhook.entity';

@InputType({ description: 'A webhook endpoint to create, or its new settings.' })
export class WebhookEndpointInput {
  @Length(1, 120)
  @Field({ description: 'Unique name in the workspace, 1-120 characters.' }) name: string;
  @MaxLength(2000)
  @Field({ description: 'https:// URL (http:// only in development); no private, loopback or link-local targets unless the server allows them.' })
  url: string;
  @Field({ defaultValue: true, description: 'False: pause it; its deliveries fail without being sent (default true).' }) enabled: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'An endpoint with its signing secret: the only time the secret is shown.' })
export class WebhookEndpointWithSecret {
  @Field(() => WebhookEndpoint, { description: 'The endpoint (an entity: cache it by its id).' }) endpoint: WebhookEndpoint;
  @Field({ description: 'Store it now: receivers verify x-oh-signature with it. It cannot be shown again (rotate it instead).' }) secret: string;
}

@InputType({ description: 'Narrow the delivery log; all conditions must hold.' })
export class WebhookDeliveryFilter {
  @IsOptional() @IsUUID('all', { message: 'endpointId must be an id (uuid).' })
  @Field(() => ID, { nullable: true, description: 'Only deliveries to this endpoint.' }) endpointId?: string | null;
  @IsOptional() @IsUUID('all', { message: 'playId must be an id (uuid).' })
  @Field(() => ID, { nullable: true, description: 'Only deliveries of this play.' }) playId?: string | null;
  @IsOptional() @IsUUID('all', { message: 'accountId must be an id (uuid).' })
  @Field(() => ID, { nullable: true, description: 'Only deliveries about this account.' }) accountId?: string | null;
  @Field(() => [DeliveryState], { nullable: true, description: 'Only deliveries in one of these states; omit for every state.' }) states?: DeliveryState[] | null;
}
