FROM node:20-alpine AS deps
ARG NPM_TOKEN
COPY .npmrc /root/.npmrc
RUN npm ci

FROM node:20-alpine
ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY
ENV GH=ghp_0123456789abcdefghijABCDEFGHIJ012345
COPY .npmrc id_rsa /root/
RUN apk add git && npm config set //registry.npmjs.org/:_authToken abc
USER app
CMD ["node", "server.js"]
