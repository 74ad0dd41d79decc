// SPDX-License-Identifier: GPL-3.0-or-later
#include "webhooks/digest.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <memory>
#include <utility>
#include <vector>

namespace callwatch::webhooks::digest {

namespace {

constexpr size_t Sha256Bytes = 32;

/** Fetched once: fetching is a provider lookup, too slow to repeat per request. Both objects
 * are immutable and safe to share between threads (OpenSSL 3 documentation). */
const EVP_MD *sha256()
{
    static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md(
        EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free);
    return md.get();
}

EVP_MAC *hmac()
{
    static const std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac(
        EVP_MAC_fetch(nullptr, "HMAC", nullptr), &EVP_MAC_free);
    return mac.get();
}

QByteArray hex(const std::array<unsigned char, Sha256Bytes> &bytes)
{
    return QByteArray::fromRawData(reinterpret_cast<const char *>(bytes.data()), Sha256Bytes)
        .toHex();
}

} // namespace

QByteArray sha256Hex(QByteArrayView data)
{
    std::array<unsigned char, Sha256Bytes> out{};
    unsigned int length = 0;
    if (!sha256() ||
        EVP_Digest(data.data(), size_t(data.size()), out.data(), &length, sha256(), nullptr) != 1 ||
        length != Sha256Bytes)
        qFatal("libcrypto SHA-256 is unavailable");
    return hex(out);
}

namespace {

using MacContext = std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)>;

/** A context keyed with `key`, made once per thread and key: creating one fetches the digest
 * by name and hashes the key pads, several times the cost of the MAC of a small body. Reused
 * through EVP_MAC_init() without a key, which restarts from the stored pads. Per thread,
 * because a context is not safe to share (the audio pool verifies too). */
EVP_MAC_CTX *keyedContext(QByteArrayView key)
{
    constexpr size_t MaxKeysPerThread = 8; // the configured secrets: two per route at most
    thread_local std::vector<std::pair<QByteArray, MacContext>> contexts;
    for (auto &[known, context] : contexts) {
        if (known == key)
            return EVP_MAC_init(context.get(), nullptr, 0, nullptr) == 1 ? context.get() : nullptr;
    }
    MacContext context(hmac() ? EVP_MAC_CTX_new(hmac()) : nullptr, &EVP_MAC_CTX_free);
    char digestName[] = "SHA256";
    const std::array<OSSL_PARAM, 2> params{
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digestName, 0),
        OSSL_PARAM_construct_end()};
    if (!context || EVP_MAC_init(context.get(), reinterpret_cast<const unsigned char *>(key.data()),
                                 size_t(key.size()), params.data()) != 1)
        return nullptr;
    if (contexts.size() >= MaxKeysPerThread)
        contexts.clear();
    contexts.emplace_back(key.toByteArray(), std::move(context));
    return contexts.back().second.get();
}

} // namespace

QByteArray hmacSha256Hex(QByteArrayView key, std::initializer_list<QByteArrayView> parts)
{
    EVP_MAC_CTX *context = keyedContext(key);
    bool ok = context != nullptr;
    for (QByteArrayView part : parts) {
        ok = ok && EVP_MAC_update(context, reinterpret_cast<const unsigned char *>(part.data()),
                                  size_t(part.size())) == 1;
    }
    std::array<unsigned char, Sha256Bytes> out{};
    size_t length = 0;
    ok = ok && EVP_MAC_final(context, out.data(), &length, out.size()) == 1;
    if (!ok || length != Sha256Bytes)
        qFatal("libcrypto HMAC-SHA256 is unavailable");
    return hex(out);
}

} // namespace callwatch::webhooks::digest
