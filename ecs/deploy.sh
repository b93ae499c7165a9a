#!/usr/bin/env bash
# Build the image, push it to ECR, and deploy ecs/stack.yaml. Needs the AWS CLI with credentials
# and Docker. Usage:
#   ecs/deploy.sh <aws-region> <stack-parameters.json>
# where the JSON file holds the stack's parameters ([{"ParameterKey": "...", "ParameterValue": "..."}])
# except ImageUri, which this script sets. Re-run it after `soundlake snowflake setup` with
# SnowflakeIamUserArn, SnowflakeExternalId and SnowpipeQueueArn filled in.
set -euo pipefail
region=${1:?aws region}
params=${2:?stack parameters json}
cd "$(dirname "$0")/.."

account=$(aws sts get-caller-identity --query Account --output text)
repo=soundlake
tag=$(git rev-parse --short HEAD)
registry="$account.dkr.ecr.$region.amazonaws.com"
image="$registry/$repo:$tag"

aws ecr describe-repositories --region "$region" --repository-names "$repo" >/dev/null 2>&1 \
  || aws ecr create-repository --region "$region" --repository-name "$repo" --image-scanning-configuration scanOnPush=true >/dev/null
aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry"
docker build --platform linux/amd64 -t "$image" .
docker push "$image"

python3 - "$params" "$image" > /tmp/soundlake-stack-params.json <<'PY'
import json, sys
params = [p for p in json.load(open(sys.argv[1])) if p["ParameterKey"] != "ImageUri"]
params.append({"ParameterKey": "ImageUri", "ParameterValue": sys.argv[2]})
print(json.dumps(params))
PY
stack=soundlake
if aws cloudformation describe-stacks --region "$region" --stack-name "$stack" >/dev/null 2>&1; then action=update-stack; else action=create-stack; fi
aws cloudformation "$action" --region "$region" --stack-name "$stack" \
  --template-body file://ecs/stack.yaml --parameters file:///tmp/soundlake-stack-params.json \
  --capabilities CAPABILITY_NAMED_IAM
aws cloudformation wait "stack-${action%-stack}-complete" --region "$region" --stack-name "$stack"
aws cloudformation describe-stacks --region "$region" --stack-name "$stack" --query 'Stacks[0].Outputs' --output table
