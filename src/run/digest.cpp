#include "run/digest.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <fstream>

#include "dynhat/error.hpp"

namespace dynhat::pipeline {

struct Digest::State {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
};

Digest::Digest() : state_(std::make_unique<State>()) {
  if (!state_->md || EVP_DigestInit_ex(state_->md.get(), EVP_sha256(), nullptr) != 1) {
    throw Error("SHA-256: OpenSSL digest initialisation failed");
  }
}

Digest::~Digest() = default;

void Digest::add(const void* bytes, std::size_t count) {
  EVP_DigestUpdate(state_->md.get(), bytes, count);
}

void Digest::add(std::size_t value) {
  add(&value, sizeof value);
}

void Digest::add(double value) {
  add(&value, sizeof value);
}

void Digest::add(std::string_view text) {
  add(text.size());
  add(text.data(), text.size());
}

void Digest::add(const std::vector<double>& values) {
  add(values.size());
  add(values.data(), values.size() * sizeof(double));
}

void Digest::add(const std::vector<std::string>& texts) {
  add(texts.size());
  for (const std::string& text : texts) add(std::string_view(text));
}

std::string Digest::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(state_->md.get(), digest, &length);
  std::string out;
  for (unsigned int k = 0; k < length; ++k) out += fmt::format("{:02x}", digest[k]);
  return out;
}

std::string sha256_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidInput(fmt::format("{}: cannot be read", path.string()));
  Digest digest;
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    digest.add(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  return digest.hex();
}

}  // namespace dynhat::pipeline
