# bulkhead:ignore-file BH-DF-010 internal mirror pins by tag
FROM alpine:3.19
# bulkhead:ignore BH-DF-017 cache is wanted here for a test
RUN apk add curl
USER 10001
HEALTHCHECK CMD ["true"]
CMD ["sh"]
