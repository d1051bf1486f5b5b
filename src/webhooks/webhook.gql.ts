/** GraphQL inputs and results of webhook endpoints and deliveries. */
import { IsOptional, IsUUID, Length, MaxLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DeliveryState, WebhookEndpoint } from './webhook.entity';

@InputType()
export class WebhookEndpointInput {
  @Length(1, 120)
  @Field() name: string;
  @MaxLength(2000)
  @Field({ description: 'https:// URL (http:// only in development); no private, loopback or link-local targets unless the server allows them.' })
  url: string;
  @Field({ defaultValue: true }) enabled: boolean;
}

@ObjectType({ simpleResolvers: true, description: 'An endpoint with its signing secret: the only time the secret is shown.' })
export class WebhookEndpointWithSecret {
  @Field(() => WebhookEndpoint) endpoint: WebhookEndpoint;
  @Field({ description: 'Store it now: receivers verify x-oh-signature with it. It cannot be shown again (rotate it instead).' }) secret: string;
}

@InputType({ description: 'Narrow the delivery log; all conditions must hold.' })
export class WebhookDeliveryFilter {
  @IsOptional() @IsUUID('all', { message: 'endpointId must be an id (uuid).' })
  @Field(() => ID, { nullable: true }) endpointId?: string | null;
  @IsOptional() @IsUUID('all', { message: 'playId must be an id (uuid).' })
  @Field(() => ID, { nullable: true }) playId?: string | null;
  @IsOptional() @IsUUID('all', { message: 'accountId must be an id (uuid).' })
  @Field(() => ID, { nullable: true }) accountId?: string | null;
  @Field(() => [DeliveryState], { nullable: true }) states?: DeliveryState[] | null;
}
